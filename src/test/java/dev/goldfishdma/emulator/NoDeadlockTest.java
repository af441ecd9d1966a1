package dev.goldfishdma.emulator;

import dev.goldfishdma.service.DmaServiceProtocol;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Java thread page-faulting on a mapping of the device is not at a safepoint while the kernel waits for
 * the server. With the server in a child process, garbage collections in this JVM (which need every thread
 * at a safepoint) merely wait for the fault to be served; nothing hangs.
 */
class NoDeadlockTest {
    private static final long SIZE = 32L * 1024 * 1024;
    private static final int ROUNDS = 4;

    @TempDir
    static Path workDir;
    private static EmulatorProcess emulator;

    @BeforeAll
    static void startEmulator() throws Exception {
        Capabilities.requireFuseMount();
        emulator = EmulatorProcess.start(Files.createDirectory(workDir.resolve("mnt")));
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

    @Test
    void copyingIntoFreshMappingsWhileTheJvmCollectsGarbageNeverHangs() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            byte[] data = new byte[(int) SIZE];
            new Random(7).nextBytes(data);
            CRC32C crc = new CRC32C();
            crc.update(data);
            long expected = crc.getValue();

            AtomicBoolean stop = new AtomicBoolean();
            Thread churn = new Thread(() -> {
                List<byte[]> kept = new ArrayList<>();
                for (long i = 0; !stop.get(); i++) {
                    kept.add(new byte[64 * 1024 + (int) (i % 4096)]);
                    if (kept.size() > 256) {
                        kept.subList(0, 128).clear();
                    }
                    if (i % 200 == 0) {
                        System.gc();
                    }
                }
            }, "garbage-churn");
            churn.setDaemon(true);
            long collectionsBefore = collections();
            churn.start();
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    try (GuestPipe pipe = GuestPipe.connect(emulator.devicePath(), DmaServiceProtocol.SERVICE_NAME);
                         Arena arena = Arena.ofConfined()) {
                        assertEquals(0, pipe.createRegion(SIZE));
                        MemorySegment mapping = pipe.map(SIZE);
                        try {
                            MemorySegment.copy(MemorySegment.ofArray(data), 0, mapping, 0, SIZE);
                            MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
                            DmaServiceProtocol.encodeCrc(command, pipe.getOff()[0], 0, SIZE);
                            MemorySegment answer = pipe.dmaCommand(command);
                            assertEquals(0, DmaServiceProtocol.decodeStatus(answer));
                            assertEquals(expected, DmaServiceProtocol.decodeCrc(answer), "round " + round);
                        } finally {
                            GuestPipe.unmap(mapping);
                        }
                    }
                }
            } finally {
                stop.set(true);
                churn.join();
            }
            assertTrue(collections() > collectionsBefore, "the churn should have caused collections");
        });
    }

    private static long collections() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionCount());
        }
        return total;
    }
}
