package dev.goldfishdma.bindings;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;
import dev.goldfishdma.libc.OpenFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated {@code mmap(2)}, {@code madvise(2)}, {@code msync(2)} and {@code memfd_create(2)} constants
 * against what the kernel makes of them, read back from {@code /proc/self/maps}, {@code smaps} and
 * {@code mincore}.
 */
class MappingConstantsTest {
    private static final long PAGE = Libc.PAGE_SIZE;
    private static final long LENGTH = 16 * PAGE;
    private static final int PRIVATE_ANONYMOUS = MmapFlags.MAP_PRIVATE | MmapFlags.MAP_ANONYMOUS;

    private interface WithMapping {
        void accept(long address) throws Exception;
    }

    private static void mapped(int prot, int flags, WithMapping check) throws Exception {
        MemorySegment at = Libc.mmap(LENGTH, prot, flags, -1, 0);
        try {
            check.accept(at.address());
        } finally {
            Libc.munmap(at, LENGTH);
        }
    }

    @Test
    void protectionBitsAreThePermissionsOfTheMapping() throws Exception {
        int read = MmapFlags.PROT_READ;
        int write = MmapFlags.PROT_WRITE;
        mapped(read | write, PRIVATE_ANONYMOUS, a -> assertEquals("rw-p", ProcSelf.mappingPermissions(a)));
        mapped(read, PRIVATE_ANONYMOUS, a -> assertEquals("r--p", ProcSelf.mappingPermissions(a)));
        mapped(read | LibcConstants.PROT_EXEC(), PRIVATE_ANONYMOUS,
                a -> assertEquals("r-xp", ProcSelf.mappingPermissions(a)));
        mapped(LibcConstants.PROT_NONE(), PRIVATE_ANONYMOUS, a -> assertEquals("---p", ProcSelf.mappingPermissions(a)));
    }

    @Test
    void mapSharedIsASharedMappingAndMapPrivateAPrivateOne() throws Exception {
        int rw = MmapFlags.PROT_READ | MmapFlags.PROT_WRITE;
        mapped(rw, MmapFlags.MAP_SHARED | MmapFlags.MAP_ANONYMOUS, a -> {
            assertEquals("rw-s", ProcSelf.mappingPermissions(a));
            MemorySegment memory = MemorySegment.ofAddress(a).reinterpret(LENGTH);
            memory.set(JAVA_LONG, LENGTH - 8, 0x1234_5678_9abc_def0L);
            assertEquals(0x1234_5678_9abc_def0L, memory.get(JAVA_LONG, LENGTH - 8));
        });
        mapped(rw, PRIVATE_ANONYMOUS, a -> assertEquals("rw-p", ProcSelf.mappingPermissions(a)));
    }

    @Test
    void withoutMapAnonymousAMappingNeedsAFile() {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> Libc.mmap(LENGTH, MmapFlags.PROT_READ, MmapFlags.MAP_PRIVATE, -1, 0));
        assertEquals(Errno.EBADF, e.errno());
    }

    @Test
    void mapPopulateFaultsEveryPageInAtOnce() throws Exception {
        int rw = MmapFlags.PROT_READ | MmapFlags.PROT_WRITE;
        mapped(rw, PRIVATE_ANONYMOUS | MmapFlags.MAP_POPULATE,
                a -> assertEquals(LENGTH / PAGE, NativeCalls.residentPages(a, LENGTH, PAGE)));
        mapped(rw, PRIVATE_ANONYMOUS, a -> assertEquals(0, NativeCalls.residentPages(a, LENGTH, PAGE)));
    }

    @Test
    void madvPopulateWriteFaultsPagesInAndMadvDontneedDropsThem() throws Exception {
        int rw = MmapFlags.PROT_READ | MmapFlags.PROT_WRITE;
        mapped(rw, PRIVATE_ANONYMOUS, a -> {
            MemorySegment memory = MemorySegment.ofAddress(a).reinterpret(LENGTH);
            Libc.madvise(memory, LENGTH, MmapFlags.MADV_POPULATE_WRITE);
            assertEquals(LENGTH / PAGE, NativeCalls.residentPages(a, LENGTH, PAGE));
            memory.set(JAVA_LONG, 0, 42);
            Libc.madvise(memory, LENGTH, MmapFlags.MADV_DONTNEED);
            assertEquals(0, NativeCalls.residentPages(a, LENGTH, PAGE));
            assertEquals(0, memory.get(JAVA_LONG, 0), "a dropped private page comes back zero");
        });
    }

    /** On a file on disk: MS_SYNC writes the dirty pages back, after which MADV_PAGEOUT can drop them. */
    @Test
    void msSyncCleansAFileMappingAndMadvPageoutReclaimsIt(@TempDir Path dir)
            throws Exception {
        Path file = Files.write(dir.resolve("pages"), new byte[(int) LENGTH]);
        int fd = Libc.open(file.toString(), OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        MemorySegment memory = Libc.mmap(LENGTH, MmapFlags.PROT_READ | MmapFlags.PROT_WRITE, MmapFlags.MAP_SHARED,
                fd, 0).reinterpret(LENGTH);
        try {
            memory.fill((byte) 7);
            assertTrue(ProcSelf.mappingDirtyKb(memory.address()) > 0, "dirty after the writes");
            Libc.msync(memory, LENGTH, MmapFlags.MS_SYNC);
            assertEquals(0, ProcSelf.mappingDirtyKb(memory.address()), "clean after msync(MS_SYNC)");
            assertEquals(7, Files.readAllBytes(file)[(int) LENGTH - 1], "written back to the file");
            Libc.madvise(memory, LENGTH, MmapFlags.MADV_PAGEOUT);
            assertEquals(0, NativeCalls.residentPages(memory.address(), LENGTH, PAGE), "reclaimed");
        } finally {
            Libc.munmap(memory, LENGTH);
            Libc.close(fd);
        }
    }

    @Test
    void mapNoreserveAndMapLockedShowInVmFlags() throws Exception {
        int rw = MmapFlags.PROT_READ | MmapFlags.PROT_WRITE;
        // With overcommit disabled (mode 2) the kernel ignores MAP_NORESERVE.
        boolean overcommitNever = Files.readString(Path.of("/proc/sys/vm/overcommit_memory")).trim().equals("2");
        if (!overcommitNever) {
            mapped(rw, PRIVATE_ANONYMOUS | LibcConstants.MAP_NORESERVE(),
                    a -> assertTrue(ProcSelf.mappingVmFlags(a).contains("nr"), ProcSelf.mappingVmFlags(a).toString()));
        }
        mapped(rw, PRIVATE_ANONYMOUS | LibcConstants.MAP_LOCKED(),
                a -> assertTrue(ProcSelf.mappingVmFlags(a).contains("lo"), ProcSelf.mappingVmFlags(a).toString()));
        mapped(rw, PRIVATE_ANONYMOUS, a -> {
            assertTrue(!ProcSelf.mappingVmFlags(a).contains("lo"), ProcSelf.mappingVmFlags(a).toString());
        });
    }

    @Test
    void mapFixedMapsAtExactlyTheGivenAddress() throws Exception {
        int rw = MmapFlags.PROT_READ | MmapFlags.PROT_WRITE;
        mapped(rw, PRIVATE_ANONYMOUS, a -> {
            long inside = a + 4 * PAGE;
            long r = NativeCalls.mmapAnonymousAt(inside, PAGE, MmapFlags.PROT_READ,
                    PRIVATE_ANONYMOUS | LibcConstants.MAP_FIXED());
            assertEquals(inside, r, "MAP_FIXED replaced the page at the address it was given");
            assertEquals("r--p", ProcSelf.mappingPermissions(inside));
        });
    }

    @Test
    void mfdCloexecSetsTheCloseOnExecDescriptorFlag() throws Exception {
        int withFlag = Libc.memfdCreate("bindings-test", LibcConstants.MFD_CLOEXEC());
        int without = Libc.memfdCreate("bindings-test", 0);
        try {
            assertEquals(LibcConstants.FD_CLOEXEC(), NativeCalls.fcntl(withFlag, LibcConstants.F_GETFD()));
            assertEquals(0, NativeCalls.fcntl(without, LibcConstants.F_GETFD()));
        } finally {
            Libc.close(withFlag);
            Libc.close(without);
        }
    }
}
