package dev.goldfishdma.libc;

import dev.goldfishdma.gen.dma.GoldfishDma;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The libc layer against the real kernel; no device needed. */
class LibcTest {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle GETTID = LINKER.downcallHandle(
            LINKER.defaultLookup().find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle TGKILL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("tgkill").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    /** SIGPIPE's number on every Linux architecture the project runs on (x86_64, aarch64). */
    private static final int SIGPIPE = 13;

    @Test
    void goldfishIoctlOnDevNullIsEnotty() throws Exception {
        int fd = Libc.open("/dev/null", OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(16);
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> Libc.ioctl(fd, GoldfishDma.GOLDFISH_DMA_IOC_LOCK(), info));
            assertEquals(Errno.ENOTTY, e.errno());
            assertEquals(25, e.errno());
            assertEquals("ENOTTY", e.errnoName());
            assertEquals("ioctl", e.call());
            assertTrue(e.getMessage().startsWith("ioctl(fd=" + fd + ", request=0xc0104700"), e.getMessage());
            assertTrue(e.getMessage().contains("ENOTTY (25): "), e.getMessage());
            assertEquals(-Errno.ENOTTY, Libc.ioctlOrErrno(fd, GoldfishDma.GOLDFISH_DMA_IOC_LOCK(), info));
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void memmoveCopiesHeapAndNativeMemoryOverlappingOrNot() {
        byte[] heap = new byte[256];
        for (int i = 0; i < heap.length; i++) {
            heap[i] = (byte) i;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment off = arena.allocate(256);
            Libc.memmove(off.asSlice(10), MemorySegment.ofArray(heap).asSlice(20, 100));
            for (int i = 0; i < 100; i++) {
                assertEquals((byte) (20 + i), off.get(JAVA_BYTE, 10 + i));
            }
            assertEquals(0, off.get(JAVA_BYTE, 110), "nothing past the source's size");
            long[] longs = new long[4];
            Libc.memmove(MemorySegment.ofArray(longs).asSlice(8), off.asSlice(10, 8));
            assertEquals(0x1b1a191817161514L, longs[1], "little-endian bytes 20..27");
            // Overlapping, both ways.
            MemorySegment whole = MemorySegment.ofArray(heap);
            Libc.memmove(whole.asSlice(1), whole.asSlice(0, 200));
            assertEquals(0, heap[1]);
            assertEquals(199, heap[200] & 0xff);
            Libc.memmove(whole, whole.asSlice(2, 100));
            assertEquals(1, heap[0]);
            assertThrows(IndexOutOfBoundsException.class, () -> Libc.memmove(off.asSlice(200), off.asSlice(0, 57)));
            assertThrows(IllegalArgumentException.class, () -> Libc.memmove(off.asReadOnly(), off.asSlice(0, 1)));
        }
        Arena closed = Arena.ofConfined();
        MemorySegment gone = closed.allocate(8);
        closed.close();
        assertThrows(IllegalStateException.class, () -> Libc.memmove(MemorySegment.ofArray(new byte[8]), gone));
    }

    @Test
    void openingAMissingPathIsEnoent(@org.junit.jupiter.api.io.TempDir Path dir) {
        String missing = dir.resolve("no-such-device").toString();
        ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.open(missing, OpenFlags.O_RDWR));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("ENOENT", e.errnoName());
        assertEquals("open", e.call());
        assertTrue(e.getMessage().contains(missing), e.getMessage());
        assertTrue(e.getMessage().contains("flags=O_RDWR"), e.getMessage());
        assertEquals("No such file or directory", e.strerror());
    }

    @Test
    void twoSharedMappingsOfAMemfdSeeEachOthersWrites() throws Exception {
        long size = 4 * Libc.PAGE_SIZE;
        int fd = Libc.memfdCreate("libc-test", 0);
        try {
            Libc.ftruncate(fd, size);
            int prot = MmapFlags.PROT_READ | MmapFlags.PROT_WRITE;
            MemorySegment a = Libc.mmap(size, prot, MmapFlags.MAP_SHARED, fd, 0).reinterpret(size);
            MemorySegment b = Libc.mmap(size, prot, MmapFlags.MAP_SHARED, fd, 0).reinterpret(size);
            try {
                assertNotEquals(a.address(), b.address());
                a.set(JAVA_LONG, 8, 0x1122334455667788L);
                b.set(JAVA_INT, size - 4, 0xCAFEBABE);
                assertEquals(0x1122334455667788L, b.get(JAVA_LONG, 8));
                assertEquals(0xCAFEBABE, a.get(JAVA_INT, size - 4));
            } finally {
                Libc.munmap(a, size);
                Libc.munmap(b, size);
            }
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void populatingAndLockingPastTheEndOfAMemfdFailWithErrno() throws Exception {
        long page = Libc.PAGE_SIZE;
        int fd = Libc.memfdCreate("libc-test", 0);
        MemorySegment map = null;
        try {
            Libc.ftruncate(fd, 2 * page);
            int prot = MmapFlags.PROT_READ | MmapFlags.PROT_WRITE;
            map = Libc.mmap(4 * page, prot, MmapFlags.MAP_SHARED, fd, 0).reinterpret(4 * page);
            Libc.madvise(map, 2 * page, MmapFlags.MADV_POPULATE_WRITE);
            MemorySegment whole = map;
            ErrnoException populate = assertThrows(ErrnoException.class,
                    () -> Libc.madvise(whole, 4 * page, MmapFlags.MADV_POPULATE_WRITE));
            assertEquals(Errno.EFAULT, populate.errno());
            assertTrue(populate.getMessage().startsWith("madvise(address=0x" + Long.toHexString(map.address())
                    + ", length=" + 4 * page + ", advice=MADV_POPULATE_WRITE) failed: EFAULT"), populate.getMessage());

            Libc.mlock(map, 2 * page);
            Libc.munlock(map, 2 * page);
            ErrnoException lock = assertThrows(ErrnoException.class, () -> Libc.mlock(whole, 4 * page));
            assertEquals(Errno.ENOMEM, lock.errno());
            assertEquals("mlock", lock.call());
            Libc.munlock(map, 4 * page);

            // What the populate faulted in is the file's memory: the second page is there, zero, writable.
            map.set(JAVA_LONG, page, 42);
            Libc.madvise(map, 2 * page, MmapFlags.MADV_DONTNEED);
            assertEquals(42, map.get(JAVA_LONG, page));
        } finally {
            if (map != null) {
                Libc.munmap(map, map.byteSize());
            }
            Libc.close(fd);
        }
    }

    @Test
    void pwriteWritesAtItsOffsetAndFailsWithEspipeOnAPipe() throws Exception {
        int fd = Libc.memfdCreate("libc-test", 0);
        int[] pipe = Libc.pipe(OpenFlags.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocateFrom("abc", StandardCharsets.US_ASCII).asSlice(0, 3);
            assertEquals(3, Libc.pwrite(fd, bytes, 4096));
            assertEquals(4096 + 3, Files.size(Path.of("/proc/self/fd/" + fd)));
            ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.pwrite(pipe[1], bytes, 0));
            assertEquals(Errno.ESPIPE, e.errno());
            assertTrue(e.getMessage().startsWith("pwrite(fd=" + pipe[1] + ", count=3, offset=0) failed: ESPIPE"),
                    e.getMessage());
        } finally {
            Libc.close(fd);
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
        }
    }

    @Test
    void mmapFailureIsMapFailedWithErrno() throws Exception {
        int fd = Libc.memfdCreate("libc-test", 0);
        try {
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> Libc.mmap(0, MmapFlags.PROT_READ, MmapFlags.MAP_SHARED, fd, 0));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().startsWith("mmap(length=0, prot=PROT_READ, flags=MAP_SHARED"), e.getMessage());
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void bytesRoundTripThroughAPipe() throws Exception {
        int[] fds = Libc.pipe(OpenFlags.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            byte[] message = "goldfish \0 pipe".getBytes(StandardCharsets.UTF_8);
            MemorySegment out = arena.allocate(message.length);
            MemorySegment.copy(message, 0, out, JAVA_BYTE, 0, message.length);
            Libc.writeFully(fds[1], out);
            Libc.close(fds[1]);
            MemorySegment in = arena.allocate(64);
            long n = Libc.readFully(fds[0], in);
            assertEquals(message.length, n);
            assertArrayEquals(message, in.asSlice(0, n).toArray(JAVA_BYTE));
            assertEquals(0, Libc.read(fds[0], in));
        } finally {
            Libc.close(fds[0]);
        }
    }

    @Test
    void nonBlockingReadOfAnEmptyPipeIsEagain() throws Exception {
        int[] fds = Libc.pipe(OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK);
        try (Arena arena = Arena.ofConfined()) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.read(fds[0], arena.allocate(8)));
            assertEquals(Errno.EAGAIN, e.errno());
            assertEquals("EAGAIN", e.errnoName());
        } finally {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
        }
    }

    @Test
    void pollReportsReadiness() throws Exception {
        int[] fds = Libc.pipe(OpenFlags.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(PollFd.LAYOUT, 1);
            PollFd.set(set, 0, fds[0], PollFd.POLLIN);
            assertEquals(0, Libc.poll(set, 1, 0));
            MemorySegment one = arena.allocate(1);
            Libc.write(fds[1], one);
            assertEquals(1, Libc.poll(set, 1, 1000));
            assertEquals(PollFd.POLLIN, PollFd.revents(set, 0) & PollFd.POLLIN);
        } finally {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
        }
    }

    @Test
    void pollWaitsItsWholeTimeoutThroughSignals() throws Throwable {
        int[] fds = Libc.pipe(OpenFlags.O_CLOEXEC);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment set = arena.allocate(PollFd.LAYOUT, 1);
            PollFd.set(set, 0, fds[0], PollFd.POLLIN);
            CompletableFuture<Integer> pollerTid = new CompletableFuture<>();
            long[] outcome = new long[2];
            Thread poller = new Thread(() -> {
                try {
                    pollerTid.complete((int) GETTID.invokeExact());
                    long start = System.nanoTime();
                    outcome[0] = Libc.poll(set, 1, 600);
                    outcome[1] = System.nanoTime() - start;
                } catch (Throwable t) {
                    outcome[0] = -1;
                    pollerTid.completeExceptionally(t);
                }
            });
            poller.start();
            int tid = pollerTid.get(5, TimeUnit.SECONDS);
            int pid = (int) ProcessHandle.current().pid();
            int signalled = 0;
            for (int i = 0; i < 5 && poller.isAlive(); i++) {
                Thread.sleep(50);
                // SIGPIPE: the JVM handles and ignores it, and a handled signal ends a waiting poll with EINTR.
                // tgkill fails (ESRCH) only if the poller has just ended, which the assertions below catch.
                if ((int) TGKILL.invokeExact(pid, tid, SIGPIPE) == 0) {
                    signalled++;
                }
            }
            poller.join(5000);
            assertTrue(signalled > 0, "no signal reached the polling thread");
            assertEquals(0, outcome[0], "poll timed out");
            assertTrue(outcome[1] >= TimeUnit.MILLISECONDS.toNanos(600) - 1_000_000,
                    "poll returned after " + outcome[1] / 1_000_000 + " ms of its 600");
        } finally {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
        }
    }

    @Test
    void closingABadDescriptorIsEbadf() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.close(-1));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("close(fd=-1) failed: EBADF (9): Bad file descriptor", e.getMessage());
    }

    @Test
    void heapMemoryIsRefusedBeforeTheCall() {
        MemorySegment heap = MemorySegment.ofArray(new byte[8]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Libc.read(0, heap));
        assertTrue(e.getMessage().contains("native"), e.getMessage());
    }

    @Test
    void errnoNamesComeFromTheHeaders() {
        assertEquals("EINVAL", Errno.name(22));
        assertEquals("EAGAIN", Errno.name(Errno.EAGAIN));
        assertEquals("EOPNOTSUPP", Errno.name(Errno.EOPNOTSUPP));
        assertEquals("E?9999", Errno.name(9999));
        assertEquals("Invalid argument", Errno.describe(Errno.EINVAL));
    }

    @Test
    void pageSizeIsAPowerOfTwo() {
        assertTrue(Libc.PAGE_SIZE >= 4096 && Long.bitCount(Libc.PAGE_SIZE) == 1, "page size " + Libc.PAGE_SIZE);
    }

    @Test
    void pathWithNulIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Libc.open("/dev/null\0x", OpenFlags.O_RDONLY));
    }

    @Test
    void openFlagsReadBack() {
        assertEquals("O_RDWR|O_NONBLOCK|O_CLOEXEC",
                OpenFlags.describe(OpenFlags.O_RDWR | OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC));
        assertTrue(Files.exists(Path.of("/dev/null")));
    }
}
