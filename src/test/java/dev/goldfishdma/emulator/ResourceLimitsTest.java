package dev.goldfishdma.emulator;

import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The emulator's limits refuse with the documented errno, through the kernel: an open past
 * {@code --max-pipes} fails with ENFILE, a CREATE_REGION past {@code --max-region-bytes-per-user} or
 * {@code --max-region-bytes} with ENOMEM; what a closed pipe held is given back.
 */
class ResourceLimitsTest {
    private static final long MIB = 1 << 20;

    @TempDir
    static Path workDir;

    @BeforeEach
    void requireFuse() {
        Capabilities.requireFuseMount();
    }

    @AfterAll
    static void nothingLeftBehind() throws IOException {
        if (workDir != null) {
            Leftovers.assertNothingMountedUnder(workDir);
        }
    }

    private static EmulatorProcess start(String name, EmulatorOptions.Builder options) throws IOException {
        return EmulatorProcess.start(Files.createDirectory(workDir.resolve(name)), options.build(),
                EmulatorProcess.DEFAULT_READY_TIMEOUT);
    }

    @Test
    void anOpenPastMaxPipesIsEnfile() throws Exception {
        try (EmulatorProcess emulator = start("pipes", EmulatorOptions.builder().maxPipes(3))) {
            List<GuestPipe> pipes = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    pipes.add(GuestPipe.connect(emulator.devicePath(), "echo"));
                }
                ErrnoException refused = assertThrows(ErrnoException.class, () -> GuestPipe.open(emulator.devicePath()));
                assertEquals(Errno.ENFILE, refused.errno(), refused.getMessage());
                assertTrue(Files.readString(emulator.statusPath()).contains("limits pipes 3/3 "),
                        Files.readString(emulator.statusPath()));

                pipes.remove(0).close();
                GuestPipe again = openWhenReleased(emulator);
                pipes.add(again);
                again.write(new byte[] {1});
                assertEquals(1, again.readExactly(1)[0]);
            } finally {
                for (GuestPipe pipe : pipes) {
                    pipe.close();
                }
            }
        }
    }

    @Test
    void aRegionPastTheUsersBytesIsEnomem() throws Exception {
        try (EmulatorProcess emulator = start("per-user", EmulatorOptions.builder().maxRegionBytesPerUser(2 * MIB))) {
            assertRegionBytesLimited(emulator);
        }
    }

    @Test
    void aRegionPastAllUsersBytesIsEnomem() throws Exception {
        try (EmulatorProcess emulator = start("in-all", EmulatorOptions.builder().maxRegionBytes(2 * MIB))) {
            assertRegionBytesLimited(emulator);
        }
    }

    /** Two regions of 1 MiB fit in 2 MiB, a third does not until one is freed. */
    private static void assertRegionBytesLimited(EmulatorProcess emulator) throws Exception {
        try (GuestPipe first = GuestPipe.open(emulator.devicePath());
             GuestPipe second = GuestPipe.open(emulator.devicePath());
             GuestPipe third = GuestPipe.open(emulator.devicePath())) {
            assertEquals(0, first.createRegion(MIB));
            assertEquals(0, second.createRegion(MIB));
            assertEquals(-Errno.ENOMEM, third.createRegion(MIB));
            assertEquals(-Errno.ENOMEM, third.createRegion(4096), "not even a page past the limit");
            first.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int result;
            // RELEASE, which frees the region, comes asynchronously after close(2).
            while ((result = third.createRegion(MIB)) == -Errno.ENOMEM && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, result, "the freed megabyte is given back");
        }
    }

    private static GuestPipe openWhenReleased(EmulatorProcess emulator) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return GuestPipe.connect(emulator.devicePath(), "echo");
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENFILE || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
