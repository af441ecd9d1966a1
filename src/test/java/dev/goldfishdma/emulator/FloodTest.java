package dev.goldfishdma.emulator;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;
import dev.goldfishdma.service.DmaServiceProtocol;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Floods of every kind, against an emulator child JVM with a small heap, while another client keeps
 * moving data through its region and having the host check it: the floods get backpressure or an errno,
 * the other client is served throughout, and the emulator stays alive with its threads and memory bounded.
 */
class FloodTest {
    /** Small enough that an unbounded queue of the floods below would exhaust it many times over. */
    private static final String HEAP = "24m";
    private static final int MAX_PIPES = 48;
    private static final int FLOODING_PIPES = 16;
    private static final int REGION = 1 << 20;

    @TempDir
    static Path workDir;

    @AfterAll
    static void nothingLeftBehind() throws IOException {
        if (workDir != null) {
            Leftovers.assertNothingMountedUnder(workDir);
        }
    }

    @Test
    void floodsOfEachServiceLeaveTheEmulatorBoundedAndAnotherClientServed() throws Exception {
        Capabilities.requireFuseMount();
        String heapBefore = System.getProperty(EmulatorProcess.HEAP_PROPERTY);
        System.setProperty(EmulatorProcess.HEAP_PROPERTY, HEAP);
        EmulatorProcess emulator;
        try {
            emulator = EmulatorProcess.start(Files.createDirectory(workDir.resolve("mnt")),
                    EmulatorOptions.builder().maxPipes(MAX_PIPES).build(), EmulatorProcess.DEFAULT_READY_TIMEOUT);
        } finally {
            if (heapBefore == null) {
                System.clearProperty(EmulatorProcess.HEAP_PROPERTY);
            } else {
                System.setProperty(EmulatorProcess.HEAP_PROPERTY, heapBefore);
            }
        }
        List<GuestPipe> floods = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (emulator; Transfers transfers = new Transfers(emulator.devicePath())) {
            try {
                transfers.round(0);
                int threadsBefore = threadsOf(emulator);
                CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> transfers.untilStopped(stop));

                // echo: write without reading, until the pipe takes nothing more.
                for (int i = 0; i < FLOODING_PIPES; i++) {
                    GuestPipe pipe = GuestPipe.connect(emulator.devicePath(), "echo", OpenFlags.O_NONBLOCK);
                    floods.add(pipe);
                    assertEquals(EmulatorOptions.DEFAULT_PIPE_BUFFER_BYTES, writeUntilRefused(pipe, 1 << 20),
                            "an echo pipe takes its buffer's worth, then EAGAIN");
                }
                // dma: commands whose answers are never read, until the pipe takes nothing more.
                long mostCommands = (EmulatorOptions.DEFAULT_PIPE_BUFFER_BYTES / DmaServiceProtocol.ANSWER_SIZE
                        + EmulatorOptions.DEFAULT_MAX_DMA_QUEUE) * DmaServiceProtocol.COMMAND_SIZE;
                for (int i = 0; i < FLOODING_PIPES; i++) {
                    GuestPipe pipe = GuestPipe.connect(emulator.devicePath(), "dma", OpenFlags.O_NONBLOCK);
                    floods.add(pipe);
                    long taken = writeCommandsUntilRefused(pipe);
                    assertTrue(taken > 0 && taken <= mostCommands,
                            "a dma pipe took " + taken + " bytes of commands, at most " + mostCommands + " expected");
                }
                // pipes: open until the device's table is full.
                ErrnoException full = assertThrows(ErrnoException.class, () -> {
                    for (int i = 0; i < MAX_PIPES; i++) {
                        floods.add(GuestPipe.open(emulator.devicePath()));
                    }
                });
                assertEquals(Errno.ENFILE, full.errno(), full.getMessage());

                int before = transfers.rounds.get();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (transfers.rounds.get() < before + 20 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(transfers.rounds.get() >= before + 20,
                        "the other client is served while the floods wait: " + (transfers.rounds.get() - before)
                                + " rounds in 30 s");
                stop.set(true);
                served.get(30, TimeUnit.SECONDS);

                assertTrue(emulator.processHandle().isAlive(), "the emulator survives the floods");
                int threadsAfter = threadsOf(emulator);
                assertTrue(threadsAfter <= threadsBefore + EmulatorOptions.DEFAULT_SERVICE_THREADS + 2,
                        "threads " + threadsBefore + " before " + floods.size() + " flooding pipes, " + threadsAfter
                                + " with them: no thread per pipe");
                String log = Files.exists(emulator.logFile()) ? Files.readString(emulator.logFile()) : "";
                assertFalse(log.contains("OutOfMemoryError"), log);
                String status = Files.readString(emulator.statusPath());
                assertTrue(status.contains("limits pipes " + MAX_PIPES + "/" + MAX_PIPES + " "), status);
            } finally {
                stop.set(true);
                for (GuestPipe pipe : floods) {
                    pipe.close();
                }
            }
        }
    }

    /** Writes {@code chunk}-byte pieces until the pipe takes none; returns what it took. */
    private static long writeUntilRefused(GuestPipe pipe, int chunk) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(chunk);
            long taken = 0;
            long n;
            while ((n = pipe.writeSome(bytes)) > 0) {
                taken += n;
            }
            return taken;
        }
    }

    /** Writes CRC commands for a free address until no room comes back for a second; returns what it took. */
    private static long writeCommandsUntilRefused(GuestPipe pipe) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            int batch = 64;
            MemorySegment commands = arena.allocate((long) DmaServiceProtocol.COMMAND_SIZE * batch);
            for (int i = 0; i < batch; i++) {
                DmaServiceProtocol.encodeCrc(commands.asSlice((long) i * DmaServiceProtocol.COMMAND_SIZE,
                        DmaServiceProtocol.COMMAND_SIZE), 0x1000, 0, 1);
            }
            long taken = 0;
            while (true) {
                long n = pipe.writeSome(commands);
                taken += n;
                if (n == 0 && (pipe.waitFor(PollFd.POLLOUT, 1000) & PollFd.POLLOUT) == 0) {
                    return taken;
                }
            }
        }
    }

    private static int threadsOf(EmulatorProcess emulator) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(emulator.pid()), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring("Threads:".length()).strip());
            }
        }
        throw new IOException("no Threads line for the emulator, pid " + emulator.pid());
    }

    /** The client that keeps working: fills its region and has the host check every byte. */
    private static final class Transfers implements AutoCloseable {
        final AtomicInteger rounds = new AtomicInteger();
        private final GoldfishPipe pipe;
        private final DmaRegion region;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment data = arena.allocate(REGION);
        private final MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
        private final MemorySegment answer = arena.allocate(DmaServiceProtocol.ANSWER_SIZE);
        private final Random random = new Random(7);

        Transfers(Path device) throws IOException {
            pipe = GoldfishPipe.open(device, DmaServiceProtocol.SERVICE_NAME);
            region = pipe.createRegion(REGION);
        }

        void round(int i) throws IOException {
            byte[] bytes = new byte[REGION];
            random.nextBytes(bytes);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, REGION);
            region.write(0, data);
            DmaServiceProtocol.encodeCrc(command, region.physicalAddress(), 0, REGION);
            pipe.write(command);
            pipe.readFully(answer);
            assertEquals(0, DmaServiceProtocol.decodeStatus(answer), "round " + i);
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            assertEquals(crc.getValue(), DmaServiceProtocol.decodeCrc(answer), "the host's checksum, round " + i);
            rounds.incrementAndGet();
        }

        int untilStopped(AtomicBoolean stop) {
            try {
                for (int i = 1; !stop.get(); i++) {
                    round(i);
                }
                return rounds.get();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }

        @Override
        public void close() throws IOException {
            region.close();
            pipe.close();
            arena.close();
        }
    }
}
