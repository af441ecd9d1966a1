package dev.goldfishdma.emulator;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.service.DmaServiceProtocol;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.IoctlRequest;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;
import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The emulated device against the real kernel: an emulator in a child process, exercised only through
 * system calls on the mounted file, as a guest uses the driver.
 */
class GoldfishPipeEmulatorTest {
    private static final long MIB = 1024 * 1024;
    private static final int RW = MmapFlags.PROT_READ | MmapFlags.PROT_WRITE;

    @TempDir
    static Path workDir;
    private static EmulatorProcess emulator;
    private static Path device;
    private static MemoryMode memory;
    /** Threads of the tests' own for calls that block (the common pool may have a single one). */
    private static final ExecutorService BLOCKING = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "guest-blocking-call");
        thread.setDaemon(true);
        return thread;
    });

    @BeforeAll
    static void startEmulator() throws Exception {
        Capabilities.requireFuseMount();
        Path mountDir = Files.createDirectory(workDir.resolve("mnt"));
        emulator = EmulatorProcess.start(mountDir);
        device = emulator.devicePath();
        memory = emulator.memoryMode();
    }

    @AfterAll
    static void stopEmulator() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (workDir != null) {
            Leftovers.assertNothingMountedUnder(workDir);
            Leftovers.assertNoCrashReportsUnder(workDir);
        }
    }

    // ---- the file system --------------------------------------------------------------------------------

    @Test
    void mountShowsTheDeviceAndTheStatusFile() throws Exception {
        assertEquals(emulator.mountDir().resolve("goldfish_pipe"), device);
        try (Stream<Path> entries = Files.list(emulator.mountDir())) {
            assertEquals(List.of("goldfish_pipe", "status"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.isRegularFile(device));
        // Only this user's by default (the emulator runs as this user).
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(device)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(emulator.mountDir())));
        assertEquals(Libc.getuid(), Integer.toUnsignedLong((Integer) Files.getAttribute(device, "unix:uid")));
        assertEquals(Libc.getgid(), Integer.toUnsignedLong((Integer) Files.getAttribute(device, "unix:gid")));
        assertEquals(0, Files.size(device), "a device file without a region is empty, as a memfd is");
        assertTrue(readStatus().contains("\nmemory " + memory.optionName()), readStatus());
        assertEquals("r--------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(emulator.statusPath())));
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> Libc.open(emulator.mountDir().resolve("nothing").toString(), OpenFlags.O_RDONLY));
        assertEquals(Errno.ENOENT, e.errno());
        ErrnoException write = assertThrows(ErrnoException.class,
                () -> Libc.open(emulator.statusPath().toString(), OpenFlags.O_RDWR));
        assertEquals(Errno.EACCES, write.errno());
    }

    @Test
    void theNodesCannotBeChangedChmodChownAreEpermATruncateOfTheDeviceEinval() throws Exception {
        for (Path node : List.of(device, emulator.statusPath(), emulator.mountDir())) {
            java.nio.file.FileSystemException chmod = assertThrows(java.nio.file.FileSystemException.class,
                    () -> Files.setPosixFilePermissions(node, PosixFilePermissions.fromString("rwxrwxrwx")));
            assertTrue(String.valueOf(chmod.getReason()).contains("Operation not permitted"), node + ": " + chmod);
            java.nio.file.FileSystemException chown = assertThrows(java.nio.file.FileSystemException.class,
                    () -> Files.setAttribute(node, "unix:uid", 12345));
            assertTrue(String.valueOf(chown.getReason()).contains("Operation not permitted"), node + ": " + chown);
        }
        try (GuestPipe pipe = GuestPipe.open(device)) {
            java.nio.file.FileSystemException touch = assertThrows(java.nio.file.FileSystemException.class,
                    () -> Files.setLastModifiedTime(device, java.nio.file.attribute.FileTime.fromMillis(0)));
            assertTrue(String.valueOf(touch.getReason()).contains("Operation not permitted"), touch.toString());
        }
        int fd = Libc.open(device.toString(), OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        try {
            // ftruncate(2) on the driver's character device fails in the kernel with EINVAL; here it is a SETATTR.
            ErrnoException truncate = assertThrows(ErrnoException.class, () -> Libc.ftruncate(fd, 4096));
            assertEquals(Errno.EINVAL, truncate.errno(), truncate.getMessage());
        } finally {
            Libc.close(fd);
        }
        assertEquals(0, Files.size(device));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(device)));
    }

    /** The driver ignores O_TRUNC; so does the emulator (it was ENOSYS: the kernel sent a SETATTR). */
    @Test
    void openWithOTruncIsAnOrdinaryOpen() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "echo")) {
            pipe.write(new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, pipe.readExactly(3));
        }
        int fd = Libc.open(device.toString(), OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC | OpenFlags.O_TRUNC);
        try (GuestPipe pipe = GuestPipe.adopt(fd)) {
            pipe.write("pipe:echo\0".getBytes(StandardCharsets.UTF_8));
            pipe.write(new byte[] {9});
            assertArrayEquals(new byte[] {9}, pipe.readExactly(1));
            assertEquals(0, pipe.createRegion(MIB));
        }
    }

    /** READDIR at an offset past the listing (lseek on the directory) lists nothing, whatever the offset. */
    @Test
    void readdirPastTheEndListsNothing() throws Throwable {
        for (long offset : new long[] {4, 5, 1L << 40, Long.MAX_VALUE}) {
            assertEquals(List.of(), ReaddirAt.names(emulator.mountDir(), offset), "offset " + offset);
        }
        assertEquals(List.of("status"), ReaddirAt.names(emulator.mountDir(), 3));
        assertTrue(Files.readString(emulator.logFile()).lines().noneMatch(l -> l.contains("READDIR")),
                "nothing logged");
    }

    // ---- pipe I/O ---------------------------------------------------------------------------------------

    @Test
    void echoServiceReturnsWhatWasWritten() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "echo")) {
            pipe.write("hello, host".getBytes(StandardCharsets.UTF_8));
            assertEquals("hello, host", new String(pipe.readExactly(11), StandardCharsets.UTF_8));

        }
        // More than the pipe buffer: it comes back as it is read, written as there is room.
        try (GuestPipe pipe = GuestPipe.connect(device, "echo", OpenFlags.O_NONBLOCK)) {
            byte[] big = new byte[(int) (3 * MIB + 17)];
            new Random(1).nextBytes(big);
            assertArrayEquals(big, pipe.echo(big));
        }
    }

    @Test
    void connectStringAndDataMayShareAWriteAndNamespacesAreAccepted() throws Exception {
        try (GuestPipe pipe = GuestPipe.open(device)) {
            pipe.write("pipe:echo\0ping".getBytes(StandardCharsets.UTF_8));
            assertEquals("ping", new String(pipe.readExactly(4), StandardCharsets.UTF_8));
        }
        try (GuestPipe pipe = GuestPipe.connect(device, "qemud:echo")) {
            pipe.write("pong".getBytes(StandardCharsets.UTF_8));
            assertEquals("pong", new String(pipe.readExactly(4), StandardCharsets.UTF_8));
        }
    }

    @Test
    void blockingReadIsAnsweredWhenDataArrives() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "echo")) {
            CompletableFuture<Long> read = readAsync(pipe, 100);
            Thread.sleep(300);
            assertFalse(read.isDone(), "the read should wait for data");
            byte[] late = "late".getBytes(StandardCharsets.UTF_8);
            if (memory == MemoryMode.PASSTHROUGH) {
                // write(2) would wait for the file-position lock the parked read holds (see the next test).
                assertEquals(late.length, pipe.pwrite(late));
            } else {
                pipe.write(late);
            }
            assertEquals(4, read.get(10, TimeUnit.SECONDS));
        }
    }

    /**
     * With passthrough the device cannot be a stream (the kernel refuses FOPEN_STREAM beside
     * FOPEN_PASSTHROUGH), so read(2) and write(2) of one descriptor take its file-position lock: a write
     * waits behind a read that waits for data, where the driver lets them run side by side; pwrite(2) does
     * not wait. The page cache keeps the driver's behaviour, and refuses pwrite as a stream does.
     */
    @Test
    void aWriteOfTheSameDescriptorWaitsBehindAParkedReadOnlyWithPassthrough() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "echo")) {
            CompletableFuture<Long> read = readAsync(pipe, 100);
            Thread.sleep(300);
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                try {
                    pipe.write("w".getBytes(StandardCharsets.UTF_8));
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            }, BLOCKING);
            if (memory == MemoryMode.PASSTHROUGH) {
                Thread.sleep(300);
                assertFalse(write.isDone(), "write(2) should wait for the parked read");
                assertEquals(1, pipe.pwrite("p".getBytes(StandardCharsets.UTF_8)));
                assertEquals(1, read.get(10, TimeUnit.SECONDS), "the pwrite's echo answers the read");
                write.get(10, TimeUnit.SECONDS);
                assertEquals("w", new String(pipe.readExactly(1), StandardCharsets.UTF_8));
            } else {
                write.get(10, TimeUnit.SECONDS);
                assertEquals(1, read.get(10, TimeUnit.SECONDS));
                ErrnoException e = assertThrows(ErrnoException.class, () -> pipe.pwrite(new byte[] {1}));
                assertEquals(Errno.ESPIPE, e.errno());
            }
        }
    }

    private static CompletableFuture<Long> readAsync(GuestPipe pipe, int n) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return pipe.readOnce(n);
            } catch (ErrnoException e) {
                throw new RuntimeException(e);
            }
        }, BLOCKING);
    }

    @Test
    void zeroLengthReadAndWriteReturnZero() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "echo"); Arena arena = Arena.ofConfined()) {
            MemorySegment empty = arena.allocate(1).asSlice(0, 0);
            assertEquals(0, Libc.write(pipe.fd, empty));
            assertEquals(0, Libc.read(pipe.fd, empty));
        }
    }

    @Test
    void nonBlockingReadWithNothingQueuedIsEagain() throws Exception {
        try (GuestPipe pipe = GuestPipe.open(device, OpenFlags.O_NONBLOCK)) {
            pipe.write("pipe:echo\0".getBytes(StandardCharsets.UTF_8));
            ErrnoException e = assertThrows(ErrnoException.class, () -> pipe.readOnce(16));
            assertEquals(Errno.EAGAIN, e.errno());
            pipe.write("x".getBytes(StandardCharsets.UTF_8));
            assertEquals(1, pipe.readOnce(16));
        }
    }

    @Test
    void serviceNamesFollowTheDriverRulesLengthLimit() throws Exception {
        // A namespaced name ends in the service's own: the longest allowed one connects, one byte more does not.
        String longest = "n".repeat(DriverRules.MAX_SERVICE_NAME_BYTES - ":echo".length()) + ":echo";
        try (GuestPipe pipe = GuestPipe.connect(device, longest)) {
            pipe.write("ping".getBytes(StandardCharsets.UTF_8));
            assertEquals(4, pipe.readOnce(16));
        }
        try (GuestPipe pipe = GuestPipe.connect(device, "n" + longest)) {
            // Refused: the pipe is closed by the host, so the read fails at once instead of waiting for data.
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertEquals(Errno.EIO,
                    assertThrows(ErrnoException.class, () -> pipe.readOnce(8)).errno()));
        }
    }

    @Test
    void unknownServiceClosesThePipe() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "no-such-service")) {
            assertEquals(Errno.EIO, assertThrows(ErrnoException.class, () -> pipe.readOnce(8)).errno());
            assertEquals(Errno.EIO, assertThrows(ErrnoException.class,
                    () -> pipe.write(new byte[] {1})).errno());
            short revents = pipe.waitFor((short) (PollFd.POLLIN | PollFd.POLLOUT), 0);
            assertTrue((revents & PollFd.POLLERR) != 0, "revents " + revents);
            assertEquals(0, revents & PollFd.POLLOUT, "revents " + revents);
        }
    }

    @Test
    void pollReportsReadinessAndWakesWaiters() throws Exception {
        short both = (short) (PollFd.POLLIN | PollFd.POLLOUT);
        try (GuestPipe pipe = GuestPipe.connect(device, "echo")) {
            assertEquals(PollFd.POLLOUT, pipe.waitFor(both, 0));
            assertEquals(0, pipe.waitFor(PollFd.POLLIN, 100));

            // A poll waiting for input is woken by FUSE_NOTIFY_POLL when the host queues data.
            CompletableFuture<Short> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return pipe.waitFor(PollFd.POLLIN, 20_000);
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            }, BLOCKING);
            Thread.sleep(300);
            long start = System.nanoTime();
            pipe.write("wake".getBytes(StandardCharsets.UTF_8));
            short revents = waiting.get(10, TimeUnit.SECONDS);
            assertTrue((revents & PollFd.POLLIN) != 0, "revents " + revents);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "woken late");
            assertEquals(both, pipe.waitFor(both, 0));
            pipe.readExactly(4);
            assertEquals(PollFd.POLLOUT, pipe.waitFor(both, 0));
        }
    }

    @Test
    void interruptOfABlockedReadLetsTheReaderDie() throws Exception {
        Path cat = Capabilities.onPath("cat");
        Capabilities.require(cat != null, "cat is not on PATH");
        // cat reads the unconnected pipe: the read is parked on the server. SIGTERM makes the kernel send
        // FUSE_INTERRUPT for it; only the emulator's EINTR answer lets the process finish dying.
        Process reader = new ProcessBuilder(cat.toString(), device.toString())
                .redirectErrorStream(true).start();
        try {
            assertFalse(reader.waitFor(500, TimeUnit.MILLISECONDS), "cat should block on the empty pipe");
            reader.destroy();
            assertTrue(reader.waitFor(10, TimeUnit.SECONDS), "the interrupted reader did not exit");
        } finally {
            reader.destroyForcibly();
        }
    }

    // ---- DMA ioctls -------------------------------------------------------------------------------------

    @Test
    void createRegionChecksTheSizeAndAllowsOneRegionPerPipe() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "dma")) {
            for (long size : new long[] {0, 4095, 4097, 256 * MIB + 4096, -4096}) {
                assertEquals(-Errno.EINVAL, pipe.createRegion(size), "size " + size);
            }
            assertEquals(0, pipe.createRegion(256 * MIB));
            assertEquals(-Errno.EBUSY, pipe.createRegion(4096));
            assertEquals(-Errno.EBUSY, pipe.createRegion(256 * MIB));
        }
        try (GuestPipe pipe = GuestPipe.open(device)) {
            assertEquals(0, pipe.createRegion(Libc.PAGE_SIZE), "no connection is needed");
        }
    }

    @Test
    void getOffReportsNoRegionThenSizeThenAddress() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "dma")) {
            assertArrayEquals(new long[] {0, 0}, pipe.getOff());
            assertEquals(0, pipe.createRegion(MIB));
            assertArrayEquals(new long[] {0, MIB}, pipe.getOff());
            MemorySegment mapping = pipe.map(MIB);
            try {
                // Mapped, untouched: the address comes with the mapping, as the driver gives it at mmap.
                long[] off = pipe.getOff();
                assertNotEquals(0, off[0]);
                assertEquals(0, off[0] % Libc.PAGE_SIZE, "page aligned");
                assertEquals(MIB, off[1]);
                mapping.set(JAVA_BYTE, 0, (byte) 1);
                assertArrayEquals(off, pipe.getOff(), "stable");
            } finally {
                GuestPipe.unmap(mapping);
            }
            long[] off = pipe.getOff();
            assertNotEquals(0, off[0], "unmapped again, the region keeps its address");
        }
    }

    /**
     * Documented difference: the emulator sees a mapping only at a GETOFF made while it exists. A region
     * mapped, written and unmapped before any GETOFF has no address yet (the driver gave it one at mmap),
     * and gets it at the next GETOFF under a mapping, its bytes kept.
     */
    @Test
    void aRegionUnmappedBeforeAnyGetOffHasNoAddressUntilMappedAgain() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "dma")) {
            assertEquals(0, pipe.createRegion(MIB));
            MemorySegment mapping = pipe.map(MIB);
            mapping.fill((byte) 7);
            GuestPipe.unmap(mapping);
            assertArrayEquals(new long[] {0, MIB}, pipe.getOff());
            mapping = pipe.map(MIB);
            try {
                long[] off = pipe.getOff();
                assertNotEquals(0, off[0]);
                assertEquals(MIB, off[1]);
                assertEquals(7, mapping.get(JAVA_BYTE, MIB - 1));
            } finally {
                GuestPipe.unmap(mapping);
            }
        }
    }

    @Test
    void lockAndUnlockReturnZeroAndOtherRequestsAreEnotty() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "dma")) {
            assertEquals(0, pipe.ioctl(GoldfishDma.GOLDFISH_DMA_IOC_LOCK()));
            assertEquals(0, pipe.ioctl(GoldfishDma.GOLDFISH_DMA_IOC_UNLOCK()));
            assertEquals(-Errno.ENOTTY, pipe.ioctl(IoctlRequest.iowr('G', 4, 16)));
            assertEquals(-Errno.ENOTTY, pipe.ioctl(IoctlRequest.iowr('G', 0x3f, 16)));
            assertEquals(-Errno.ENOTTY, pipe.ioctl(IoctlRequest.ioc(IoctlRequest.IOC_NONE, 'G', 2, 0)));
        }
    }

    /** Documented difference: the kernel's FUSE layer copies the 16 bytes in first; the driver reads nothing. */
    @Test
    void lockAndUnlockWithANullArgumentFailWithEfault() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "dma")) {
            assertEquals(-Errno.EFAULT, Libc.ioctlOrErrno(pipe.fd, GoldfishDma.GOLDFISH_DMA_IOC_LOCK(), MemorySegment.NULL));
            assertEquals(-Errno.EFAULT, Libc.ioctlOrErrno(pipe.fd, GoldfishDma.GOLDFISH_DMA_IOC_UNLOCK(),
                    MemorySegment.NULL));
        }
    }

    /**
     * Reopening an open pipe through /proc/self/fd (what the library does to drop O_NONBLOCK) gives a second
     * pipe on the same inode. Documented difference: the two share the region's memory, so only one of them
     * can create a region; the other's CREATE_REGION is EBUSY.
     */
    @Test
    void aPipeReopenedThroughProcSelfFdIsAPipeOfItsOwnSharingTheRegionMemory() throws Exception {
        try (GuestPipe first = GuestPipe.open(device)) {
            int again = Libc.open("/proc/self/fd/" + first.fd, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
            try (GuestPipe second = GuestPipe.adopt(again)) {
                second.write("pipe:echo\0".getBytes(StandardCharsets.UTF_8));
                second.write("hi".getBytes(StandardCharsets.UTF_8));
                assertEquals("hi", new String(second.readExactly(2), StandardCharsets.UTF_8));
                assertEquals(0, second.createRegion(MIB));
                assertEquals(-Errno.EBUSY, first.createRegion(MIB), "the memory is the second pipe's region");
                MemorySegment mapping = second.map(MIB);
                try {
                    mapping.set(JAVA_BYTE, 0, (byte) 5);
                    assertNotEquals(0, second.getOff()[0]);
                } finally {
                    GuestPipe.unmap(mapping);
                }
                first.close();
                String status = awaitStatus(s -> pipeCount(s) == 1, Duration.ofSeconds(10));
                assertTrue(status.contains("size=" + MIB), status);
                mapping = second.map(MIB);
                try {
                    assertEquals(5, mapping.get(JAVA_BYTE, 0), "the first pipe's release left the memory alone");
                } finally {
                    GuestPipe.unmap(mapping);
                }
            }
        }
    }

    // ---- mappings and the dma service -------------------------------------------------------------------

    @Test
    void dmaChecksumOfA32MiBRegionMatchesWithoutMsync() throws Exception {
        long size = 32 * MIB;
        try (GuestPipe pipe = GuestPipe.connect(device, DmaServiceProtocol.SERVICE_NAME);
             Arena arena = Arena.ofConfined()) {
            assertEquals(0, pipe.createRegion(size));
            MemorySegment mapping = pipe.map(size);
            try {
                byte[] data = new byte[(int) size];
                Random random = new Random(32);
                random.nextBytes(data);
                MemorySegment.copy(MemorySegment.ofArray(data), 0, mapping, 0, size);
                long phys = pipe.getOff()[0];
                assertNotEquals(0, phys);

                MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
                long[][] ranges = {{0, size}, {0, 1}, {size - 1, 1}, {4095, 2}, {12345, 7 * MIB + 3}};
                for (long[] range : ranges) {
                    assertCrc(pipe, command, phys, range[0], range[1], data);
                }
                for (int i = 0; i < 8; i++) {
                    long offset = (long) (random.nextDouble() * size);
                    long length = (long) (random.nextDouble() * (size - offset));
                    assertCrc(pipe, command, phys, offset, length, data);
                }

                // The guest changes a byte; the host sees it at once.
                mapping.set(JAVA_BYTE, 5 * MIB, (byte) (data[(int) (5 * MIB)] + 1));
                data[(int) (5 * MIB)]++;
                assertCrc(pipe, command, phys, 5 * MIB - 100, 200, data);

                DmaServiceProtocol.encodeCrc(command, phys, size - 10, 11);
                assertEquals(Errno.EINVAL, DmaServiceProtocol.decodeStatus(pipe.dmaCommand(command)));
                DmaServiceProtocol.encodeCrc(command, phys + Libc.PAGE_SIZE, 0, 1);
                assertEquals(Errno.EINVAL, DmaServiceProtocol.decodeStatus(pipe.dmaCommand(command)));
            } finally {
                GuestPipe.unmap(mapping);
            }
        }
    }

    private static void assertCrc(GuestPipe pipe, MemorySegment command, long phys, long offset, long length,
                                  byte[] data) throws ErrnoException {
        DmaServiceProtocol.encodeCrc(command, phys, offset, length);
        MemorySegment answer = pipe.dmaCommand(command);
        assertEquals(0, DmaServiceProtocol.decodeStatus(answer), "status for [" + offset + ", +" + length + ")");
        CRC32C expected = new CRC32C();
        expected.update(data, (int) offset, (int) length);
        assertEquals(expected.getValue(), DmaServiceProtocol.decodeCrc(answer),
                "crc32c of [" + offset + ", +" + length + ")");
    }

    @Test
    void hostFillIsVisibleInTheGuestMapping() throws Exception {
        long size = 4 * MIB;
        try (GuestPipe pipe = GuestPipe.connect(device, DmaServiceProtocol.SERVICE_NAME);
             Arena arena = Arena.ofConfined()) {
            assertEquals(0, pipe.createRegion(size));
            MemorySegment mapping = pipe.map(size);
            try {
                mapping.asSlice(0, 2 * MIB).fill((byte) 0x5a); // half of it faulted in and dirty
                long phys = pipe.getOff()[0];
                long offset = MIB + 123;
                long length = 2 * MIB + 7; // over cached and never-touched pages
                MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
                DmaServiceProtocol.encodeFill(command, 77, phys, offset, length);
                MemorySegment answer = pipe.dmaCommand(command);
                assertEquals(0, DmaServiceProtocol.decodeStatus(answer));

                MemorySegment expected = arena.allocate(length);
                DmaServiceProtocol.fillPattern(expected, 77, 0);
                assertEquals(-1, mapping.asSlice(offset, length).mismatch(expected), "pattern in the mapping");
                assertEquals((byte) 0x5a, mapping.get(JAVA_BYTE, offset - 1), "byte before the fill");
                assertEquals(0, mapping.get(JAVA_BYTE, offset + length), "byte after the fill");
                CRC32C crc = new CRC32C();
                crc.update(expected.asByteBuffer());
                assertEquals(crc.getValue(), DmaServiceProtocol.decodeCrc(answer));

                DmaServiceProtocol.encodeCrc(command, phys, offset, length);
                assertEquals(crc.getValue(), DmaServiceProtocol.decodeCrc(pipe.dmaCommand(command)));
            } finally {
                GuestPipe.unmap(mapping);
            }
        }
    }

    @Test
    void twoPipesOpenAtOnceHaveIndependentRegions() throws Exception {
        long size = 2 * MIB;
        try (GuestPipe a = GuestPipe.connect(device, DmaServiceProtocol.SERVICE_NAME);
             GuestPipe b = GuestPipe.connect(device, DmaServiceProtocol.SERVICE_NAME);
             Arena arena = Arena.ofConfined()) {
            assertEquals(0, a.createRegion(size));
            assertEquals(0, b.createRegion(size));
            MemorySegment mapA = a.map(size);
            MemorySegment mapB = b.map(size);
            try {
                mapA.fill((byte) 0xaa);
                mapB.fill((byte) 0xbb);
                assertEquals((byte) 0xaa, mapA.get(JAVA_BYTE, size / 2), "b's writes must not reach a");
                assertEquals((byte) 0xbb, mapB.get(JAVA_BYTE, size / 2));
                long physA = a.getOff()[0];
                long physB = b.getOff()[0];
                assertNotEquals(0, physA);
                assertNotEquals(0, physB);
                assertNotEquals(physA, physB);

                byte[] allA = new byte[(int) size];
                java.util.Arrays.fill(allA, (byte) 0xaa);
                byte[] allB = new byte[(int) size];
                java.util.Arrays.fill(allB, (byte) 0xbb);
                MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
                // Regions are found host-wide by address: either pipe can name either region.
                assertCrc(a, command, physA, 0, size, allA);
                assertCrc(a, command, physB, 0, size, allB);
                assertCrc(b, command, physA, 0, size, allA);
            } finally {
                GuestPipe.unmap(mapA);
                GuestPipe.unmap(mapB);
            }
        }
    }

    @Test
    void closingThePipeReleasesTheRegionOnTheServer() throws Exception {
        long phys;
        GuestPipe pipe = GuestPipe.connect(device, DmaServiceProtocol.SERVICE_NAME);
        try {
            assertEquals(0, pipe.createRegion(MIB));
            MemorySegment mapping = pipe.map(MIB);
            mapping.set(JAVA_BYTE, 0, (byte) 1);
            phys = pipe.getOff()[0];
            String line = "region phys=0x" + Long.toHexString(phys) + " size=" + MIB;
            assertTrue(readStatus().contains(line), readStatus());
            pipe.close();
            if (memory == MemoryMode.PAGE_CACHE) {
                // The mapping still holds the file: the region lives on, as with the driver.
                assertTrue(readStatus().contains(line), readStatus());
                GuestPipe.unmap(mapping);
            } else {
                // The mapping holds the region's memory but not the device file: RELEASE comes at close and
                // the host forgets the region (documented difference); the guest's mapping still works.
                awaitStatus(s -> !s.contains(line), Duration.ofSeconds(10));
                mapping.set(JAVA_BYTE, 1, (byte) 2);
                assertEquals(1, mapping.get(JAVA_BYTE, 0));
                GuestPipe.unmap(mapping);
            }
            // RELEASE is sent asynchronously once the last reference is gone.
            String status = awaitStatus(s -> !s.contains(line), Duration.ofSeconds(10));
            assertFalse(status.contains(line), status);
        } finally {
            pipe.close();
        }
        // A stale address finds nothing.
        try (GuestPipe other = GuestPipe.connect(device, DmaServiceProtocol.SERVICE_NAME);
             Arena arena = Arena.ofConfined()) {
            MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
            DmaServiceProtocol.encodeCrc(command, phys, 0, 1);
            assertEquals(Errno.EINVAL, DmaServiceProtocol.decodeStatus(other.dmaCommand(command)));
        }
    }

    @Test
    void statusCountsPipesAndRegions() throws Exception {
        try (GuestPipe a = GuestPipe.connect(device, "echo"); GuestPipe b = GuestPipe.open(device)) {
            assertEquals(0, b.createRegion(MIB));
            String status = readStatus();
            assertTrue(pipeCount(status) >= 2, status);
            assertTrue(status.contains("service=echo state=connected"), status);
            assertTrue(status.contains("service=- state=connecting"), status);
            assertTrue(status.contains("region phys=0x0 size=" + MIB), status);
        }
        String after = awaitStatus(s -> pipeCount(s) == 0, Duration.ofSeconds(10));
        assertTrue(after.startsWith("pipes 0\nregions 0\n"), after);
        assertTrue(after.contains("\nmemory " + memory.optionName()), after);
    }

    @Test
    void everyOpenGetsItsOwnInodeAndTheKernelForgetsThem() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (GuestPipe pipe = GuestPipe.open(device)) {
                assertEquals(0, pipe.createRegion(Libc.PAGE_SIZE));
            }
        }
        // Each open looked up a fresh node; FORGET (or BATCH_FORGET) returns them once unused.
        String status = awaitStatus(s -> count(s, "nodes") <= 1 && count(s, "pipes") == 0, Duration.ofSeconds(10));
        assertTrue(status.contains("regions 0\n"), status);
    }

    /**
     * What a C client written for the real device does (AOSP goldfish-opengl, goldfish_dma.cpp): connect to
     * opengles, CREATE_REGION, mmap PROT_WRITE|MAP_SHARED at offset 0, memcpy, GETOFF.
     */
    @Test
    void aClientWrittenForTheDriverWorksUnchanged() throws Exception {
        long size = 8 * MIB;
        try (GuestPipe gl = GuestPipe.connect(device, "opengles");
             GuestPipe host = GuestPipe.connect(device, DmaServiceProtocol.SERVICE_NAME);
             Arena arena = Arena.ofConfined()) {
            gl.write(new byte[] {1, 2, 3, 4}); // opengles takes (and here discards) the rendering stream
            assertEquals(0, gl.createRegion(size));
            MemorySegment mapping = gl.map(size, MmapFlags.PROT_WRITE);
            try {
                byte[] data = new byte[(int) size];
                new Random(8).nextBytes(data);
                MemorySegment.copy(MemorySegment.ofArray(data), 0, mapping, 0, size);
                long[] off = gl.getOff();
                assertNotEquals(0, off[0]);
                assertEquals(size, off[1]);
                MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
                assertCrc(host, command, off[0], 0, size, data);
            } finally {
                GuestPipe.unmap(mapping);
            }
        }
    }

    /**
     * Touching a mapping where no region is (beyond it, or before CREATE_REGION) faults with SIGBUS, where
     * the driver would map garbage or oops. In a child JVM, which turns the SIGBUS into an InternalError.
     */
    @Test
    void touchingAMappingOutsideTheRegionFaults() throws Exception {
        String beyond = runToucher(Libc.PAGE_SIZE, 16 * Libc.PAGE_SIZE, 2 * Libc.PAGE_SIZE);
        assertTrue(beyond.contains("inside the region: ok"), beyond);
        assertTrue(beyond.contains("outside the region: fault"), beyond);
        String noRegion = runToucher(0, 2 * Libc.PAGE_SIZE, 0);
        assertTrue(noRegion.contains("outside the region: fault"), noRegion);
    }

    private static String runToucher(long regionSize, long mapSize, long touch) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-XX:ErrorFile=" + workDir.resolve("hs_err_toucher_pid%p.log"),
                "-cp", System.getProperty("java.class.path"), TouchOutsideRegion.class.getName(),
                device.toString(), Long.toString(regionSize), Long.toString(mapSize), Long.toString(touch));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static String readStatus() throws ErrnoException {
        int fd = Libc.open(emulator.statusPath().toString(), OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(64 * 1024);
            long total = 0;
            long n;
            while ((n = Libc.read(fd, buffer.asSlice(total))) > 0) {
                total += n;
            }
            return new String(buffer.asSlice(0, total).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        } finally {
            Libc.close(fd);
        }
    }

    private static String awaitStatus(java.util.function.Predicate<String> condition, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = readStatus();
        while (!condition.test(status)) {
            if (System.nanoTime() > deadline) {
                fail("status never matched within " + timeout + ":\n" + status);
            }
            Thread.sleep(20);
            status = readStatus();
        }
        return status;
    }

    private static int pipeCount(String status) {
        return count(status, "pipes");
    }

    /** The number on the status line {@code "<name> <number>"}. */
    private static int count(String status, String name) {
        Matcher m = Pattern.compile("^" + name + " (\\d+)$", Pattern.MULTILINE).matcher(status);
        assertTrue(m.find(), status);
        return Integer.parseInt(m.group(1));
    }
}
