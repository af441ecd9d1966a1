package dev.goldfishdma.libc;

import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fstatfs(2) and statx(2) of descriptors, against what the kernel says elsewhere: the magic numbers of
 * {@code <linux/magic.h>} (an ABI: the same on every architecture) and {@code /proc/self/fdinfo}'s mount id.
 * The FUSE magic number is checked on the emulated device in {@code DeviceFileRuleTest}.
 */
class FileSystemsTest {
    private static final long PROC_SUPER_MAGIC = 0x9fa0;
    private static final long TMPFS_MAGIC = 0x01021994;
    private static final long PIPEFS_MAGIC = 0x50495045;

    @Test
    void theFileSystemTypeIsTheKernelsMagicNumber() throws Exception {
        assertEquals(0x65735546L, FileSystems.FUSE_SUPER_MAGIC);
        int memfd = Libc.memfdCreate("file-systems-test", 0);
        int[] pipe = Libc.pipe(0);
        int proc = Libc.open("/proc/self/status", OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        try {
            assertEquals(TMPFS_MAGIC, FileSystems.type(memfd), "a memfd lives on the kernel's internal tmpfs");
            assertEquals(PIPEFS_MAGIC, FileSystems.type(pipe[0]));
            assertEquals(PROC_SUPER_MAGIC, FileSystems.type(proc));
        } finally {
            Libc.close(memfd);
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
            Libc.close(proc);
        }
    }

    @Test
    void aClosedDescriptorIsEbadfNamingTheCall() throws Exception {
        int[] pipe = Libc.pipe(0);
        Libc.close(pipe[0]);
        Libc.close(pipe[1]);
        ErrnoException statfs = assertThrows(ErrnoException.class, () -> FileSystems.type(pipe[0]));
        assertEquals("fstatfs", statfs.call());
        assertEquals(Errno.EBADF, statfs.errno());
        assertTrue(statfs.getMessage().startsWith("fstatfs(fd=" + pipe[0] + ")"), statfs.getMessage());
        ErrnoException statx = assertThrows(ErrnoException.class, () -> FileSystems.mountId(pipe[0]));
        assertEquals("statx", statx.call());
        assertEquals(Errno.EBADF, statx.errno());
    }

    @Test
    void theMountIdIsFdinfosAndTheUniqueOneTellsMountsApart() throws Exception {
        int proc = Libc.open("/proc/self/status", OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        int procAgain = Libc.open("/proc/self/stat", OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        int memfd = Libc.memfdCreate("file-systems-test", 0);
        try {
            OptionalLong mount = FileSystems.mountId(proc);
            assertTrue(mount.isPresent(), "STATX_MNT_ID (Linux 5.8+)");
            assertEquals(fdinfoMountId(proc), mount.getAsLong());
            assertEquals(fdinfoMountId(memfd), FileSystems.mountId(memfd).orElseThrow());

            OptionalLong unique = FileSystems.uniqueMountId(proc);
            Capabilities.require(unique.isPresent(), "the kernel reports no unique mount id (STATX_MNT_ID_UNIQUE, "
                    + "Linux 6.8+)");
            // Unique ids are counted from 2^31 up, so that they cannot be confused with the old ids.
            assertTrue(unique.getAsLong() > 0xffff_ffffL >>> 1, "unique id " + unique.getAsLong());
            assertNotEquals(mount.getAsLong(), unique.getAsLong());
            assertEquals(unique, FileSystems.uniqueMountId(procAgain), "one mount, one id");
            assertNotEquals(unique, FileSystems.uniqueMountId(memfd), "another mount, another id");
        } finally {
            Libc.close(proc);
            Libc.close(procAgain);
            Libc.close(memfd);
        }
    }

    private static long fdinfoMountId(int fd) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
                .filter(line -> line.startsWith("mnt_id:"))
                .mapToLong(line -> Long.parseLong(line.substring("mnt_id:".length()).strip()))
                .findFirst().orElseThrow();
    }
}
