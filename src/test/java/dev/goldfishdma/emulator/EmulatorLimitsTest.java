package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.service.HostEnd;
import dev.goldfishdma.emulator.service.HostService;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;
import dev.goldfishdma.service.DmaServiceProtocol;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The emulator's limits, interrupts and failure answers against the real kernel, with the emulator in this
 * JVM (nothing here maps the device): a full pipe makes writes wait or fail with EAGAIN, the {@code dma}
 * service's queue is bounded, a blocked client returns EINTR on a signal and dies on SIGKILL, and a service
 * that throws still gets its guest an answer.
 */
class EmulatorLimitsTest {
    private static final int BUFFER = (int) EmulatorOptions.DEFAULT_PIPE_BUFFER_BYTES;
    private static final String THROWS = "throws";
    private static final String OUT_OF_MEMORY = "out-of-memory";
    private static final String FAILS_LATER = "fails-later";

    @TempDir
    static Path workDir;
    private static GoldfishPipeEmulator emulator;
    private static Path device;
    private static final ExecutorService BLOCKING = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "guest-blocking-call");
        thread.setDaemon(true);
        return thread;
    });

    /** A service whose every write handler throws {@code failure} on the request thread. */
    private record Throwing(String name, IntSupplier unused, Error error) implements HostService {
        @Override
        public Session connect(HostEnd pipe) {
            return data -> {
                if (error != null) {
                    throw error;
                }
                throw new IllegalStateException("a service's bug");
            };
        }
    }

    /** A service that takes the guest's bytes and fails later, on the service threads, without answering. */
    private record FailsLater(String name) implements HostService {
        @Override
        public Session connect(HostEnd pipe) {
            return data -> pipe.executor().execute(() -> {
                throw new IllegalStateException("a service task's bug");
            });
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Capabilities.requireFuseMount();
        List<HostService> services = new ArrayList<>(GoldfishPipeEmulator.defaultServices());
        services.add(new Throwing(THROWS, null, null));
        // What the JVM throws when the heap is exhausted; thrown here without exhausting it.
        services.add(new Throwing(OUT_OF_MEMORY, null, new OutOfMemoryError("test: as if the heap were full")));
        services.add(new FailsLater(FAILS_LATER));
        emulator = GoldfishPipeEmulator.start(Files.createDirectory(workDir.resolve("mnt")), services,
                EmulatorOptions.defaults());
        device = emulator.devicePath();
    }

    @AfterAll
    static void stop() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (workDir != null) {
            Leftovers.assertNothingMountedUnder(workDir);
        }
    }

    // ---- the pipe buffer --------------------------------------------------------------------------------

    @Test
    void aFullPipeRefusesANonBlockingWriteAndIsNotWritable() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "echo", OpenFlags.O_NONBLOCK);
             Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(BUFFER + 40_000);
            assertEquals(BUFFER, pipe.writeSome(bytes), "a write takes what fits: a short write");
            assertEquals(0, pipe.writeSome(bytes.asSlice(0, 1)), "EAGAIN once full");
            assertEquals(PollFd.POLLIN, pipe.waitFor((short) (PollFd.POLLIN | PollFd.POLLOUT), 0));
            assertTrue(pipeLine(pipe).contains(" queued=" + BUFFER + " "), pipeLine(pipe));

            assertEquals(1000, pipe.readSome(arena.allocate(1000)));
            assertTrue((pipe.waitFor(PollFd.POLLOUT, 5000) & PollFd.POLLOUT) != 0, "room again after a read");
            assertEquals(1000, pipe.writeSome(bytes.asSlice(0, 5000)));
        }
    }

    @Test
    void aBlockingWriteToAFullPipeWaitsUntilTheGuestReads() throws Exception {
        byte[] data = new byte[BUFFER + 10_000];
        new Random(3).nextBytes(data);
        MemoryMode mode = emulator.memoryMode();
        try (GuestPipe pipe = GuestPipe.connect(device, "echo")) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    // With passthrough, write(2) would hold the file-position lock the reader needs.
                    int done = 0;
                    while (done < data.length) {
                        byte[] rest = java.util.Arrays.copyOfRange(data, done, data.length);
                        done += mode == MemoryMode.PASSTHROUGH ? (int) pipe.pwrite(rest) : writeOnce(pipe, rest);
                    }
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            }, BLOCKING);
            awaitStatus(pipe, " parked_writes=1 ");
            assertFalse(writer.isDone(), "the write should wait for room");
            assertArrayEquals(data, pipe.readExactly(data.length));
            writer.get(10, TimeUnit.SECONDS);
            assertTrue(pipeLine(pipe).contains(" queued=0 parked_reads=0 parked_writes=0 "), pipeLine(pipe));
        }
    }

    private static int writeOnce(GuestPipe pipe, byte[] bytes) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(bytes.length);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, buffer, 0, bytes.length);
            return (int) Libc.write(pipe.fd, buffer);
        }
    }

    // ---- the dma service's queue ------------------------------------------------------------------------

    @Test
    void dmaCommandsWhoseAnswersAreNotReadStopAtThePipeBuffer() throws Exception {
        int commandsThatFit = BUFFER / DmaServiceProtocol.ANSWER_SIZE;
        try (GuestPipe pipe = GuestPipe.connect(device, "dma", OpenFlags.O_NONBLOCK);
             Arena arena = Arena.ofConfined()) {
            MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
            DmaServiceProtocol.encodeCrc(command, 0x1000, 0, 1); // no such region: answered EINVAL
            MemorySegment many = arena.allocate((long) DmaServiceProtocol.COMMAND_SIZE * 64);
            for (int i = 0; i < 64; i++) {
                MemorySegment.copy(command, 0, many, (long) i * DmaServiceProtocol.COMMAND_SIZE, command.byteSize());
            }
            long accepted = 0;
            // Write until no room comes back for a while: the answers then fill the pipe.
            while (true) {
                long n = pipe.writeSome(many);
                accepted += n;
                if (n == 0 && (pipe.waitFor(PollFd.POLLOUT, 2000) & PollFd.POLLOUT) == 0) {
                    break;
                }
                assertTrue(accepted <= (long) (commandsThatFit + 64) * DmaServiceProtocol.COMMAND_SIZE,
                        "the service took " + accepted + " bytes of commands without their answers being read");
            }
            assertEquals((long) commandsThatFit * DmaServiceProtocol.COMMAND_SIZE, accepted,
                    "commands are taken while their answers fit in the pipe");
            assertTrue(pipeLine(pipe).contains(" queued=" + BUFFER + " "), pipeLine(pipe));
            MemorySegment answers = MemorySegment.ofArray(pipe.readExactly(BUFFER));
            for (int i = 0; i < commandsThatFit; i++) {
                assertEquals(Errno.EINVAL, DmaServiceProtocol.decodeStatus(
                        answers.asSlice((long) i * DmaServiceProtocol.ANSWER_SIZE, DmaServiceProtocol.ANSWER_SIZE)));
            }
            assertTrue((pipe.waitFor(PollFd.POLLOUT, 5000) & PollFd.POLLOUT) != 0, "room again once answers are read");
        }
    }

    // ---- interrupts -------------------------------------------------------------------------------------

    @Test
    void aSignalEndsABlockedReadWriteOrPollWithEintr() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, "echo"); Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(BUFFER);
            assertEquals(-Errno.EINTR, signalledWhileBlocked(() -> RawCalls.read(pipe.fd, buffer.asSlice(0, 16))),
                    "a parked read");
            assertTrue(pipeLine(pipe).contains(" parked_reads=0 "), pipeLine(pipe));

            MemorySegment fds = arena.allocate(PollFd.LAYOUT);
            PollFd.set(fds, 0, pipe.fd, PollFd.POLLIN);
            assertEquals(-Errno.EINTR, signalledWhileBlocked(() -> RawCalls.poll(fds, 1, 60_000)), "a poll");

            assertEquals(BUFFER, RawCalls.write(pipe.fd, buffer), "fills the pipe");
            assertEquals(-Errno.EINTR, signalledWhileBlocked(() -> RawCalls.write(pipe.fd, buffer.asSlice(0, 16))),
                    "a write parked on a full pipe");
            assertTrue(pipeLine(pipe).contains(" parked_writes=0 "), pipeLine(pipe));
        }
    }

    /** Runs {@code call} on a thread of its own and signals that thread until the call returns. */
    private static long signalledWhileBlocked(java.util.function.LongSupplier call) throws Exception {
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        CompletableFuture<Long> result = CompletableFuture.supplyAsync(() -> {
            tid.complete(RawCalls.gettid());
            return call.getAsLong();
        }, BLOCKING);
        int thread = tid.get(5, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertFalse(result.isDone(), "the call should block; it returned " + (result.isDone() ? result.get() : ""));
        for (int i = 0; i < 50 && !result.isDone(); i++) {
            RawCalls.tgkill(thread, RawCalls.SIGPIPE);
            Thread.sleep(100);
        }
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aKilledClientBlockedInReadOrWriteDiesPromptly() throws Exception {
        Path sh = Capabilities.onPath("sh");
        Capabilities.require(sh != null, "sh is not on PATH");
        // One blocked in a read of an unconnected pipe, one in a write to a full echo pipe.
        Process reader = new ProcessBuilder(sh.toString(), "-c", "exec cat \"$0\"", device.toString())
                .redirectErrorStream(true).start();
        Process writer = new ProcessBuilder(sh.toString(), "-c",
                "exec 3<>\"$0\"; printf 'pipe:echo\\000' >&3; exec head -c 1048576 /dev/zero >&3", device.toString())
                .redirectErrorStream(true).start();
        try {
            awaitStatusLine(line -> line.contains(" parked_writes=1 "));
            awaitStatusLine(line -> line.contains(" parked_reads=1 "));
            assertTrue(reader.isAlive() && writer.isAlive(), "both should block");
            long start = System.nanoTime();
            reader.destroyForcibly();
            writer.destroyForcibly();
            assertTrue(reader.waitFor(10, TimeUnit.SECONDS), "the killed reader did not die");
            assertTrue(writer.waitFor(10, TimeUnit.SECONDS), "the killed writer did not die");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
        } finally {
            reader.destroyForcibly();
            writer.destroyForcibly();
        }
    }

    // ---- failures inside ----------------------------------------------------------------------------------

    @Test
    void aWriteWhoseServiceThrowsIsAnsweredAndTheEmulatorServesOn() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, THROWS)) {
            ErrnoException e = org.junit.jupiter.api.Assertions.assertThrows(ErrnoException.class,
                    () -> pipe.write(new byte[] {1}));
            assertEquals(Errno.EIO, e.errno());
            assertEquals(Errno.EIO, org.junit.jupiter.api.Assertions.assertThrows(ErrnoException.class,
                    () -> pipe.readOnce(1)).errno(), "the failed session's pipe is closed from the host");
        }
        try (GuestPipe pipe = GuestPipe.connect(device, OUT_OF_MEMORY)) {
            ErrnoException e = org.junit.jupiter.api.Assertions.assertThrows(ErrnoException.class,
                    () -> pipe.write(new byte[] {1}));
            assertEquals(Errno.ENOMEM, e.errno());
        }
        try (GuestPipe pipe = GuestPipe.connect(device, "echo")) {
            pipe.write("still here".getBytes(StandardCharsets.UTF_8));
            assertEquals("still here", new String(pipe.readExactly(10), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aServiceTaskThatThrowsEndsTheWaitingReadWithEio() throws Exception {
        try (GuestPipe pipe = GuestPipe.connect(device, FAILS_LATER)) {
            CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
                try (Arena arena = Arena.ofConfined()) {
                    return RawCalls.read(pipe.fd, arena.allocate(8));
                }
            }, BLOCKING);
            Thread.sleep(200);
            assertFalse(read.isDone(), "the read should wait for an answer");
            // With passthrough, write(2) would wait for the file-position lock the parked read holds.
            if (emulator.memoryMode() == MemoryMode.PASSTHROUGH) {
                pipe.pwrite(new byte[] {1});
            } else {
                pipe.write(new byte[] {1});
            }
            assertEquals(-Errno.EIO, read.get(10, TimeUnit.SECONDS));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** The status file's line of {@code pipe}: the newest pipe, as each test opens its own. */
    private static String pipeLine(GuestPipe pipe) {
        List<String> lines = emulator.status().lines().filter(line -> line.startsWith("pipe id=")).toList();
        return lines.getLast();
    }

    private static void awaitStatus(GuestPipe pipe, String part) throws InterruptedException {
        awaitStatusLine(line -> line.contains(part));
    }

    private static void awaitStatusLine(java.util.function.Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (emulator.status().lines().anyMatch(line -> line.startsWith("pipe id=") && wanted.test(line))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no such pipe in the status within 10 s:\n" + emulator.status());
    }

    @SuppressWarnings("unused")
    private static long number(String line, String key) {
        Matcher m = Pattern.compile(" " + key + "=(\\d+)").matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
