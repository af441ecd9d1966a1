package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.FuseMount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The emulator tests' checks that nothing stays mounted and no JVM crashed. */
final class Leftovers {
    private Leftovers() {
    }

    /** Fails when a mount is left on or below {@code dir}, detaching it first so the run stays clean. */
    static void assertNothingMountedUnder(Path dir) throws IOException {
        List<FuseMount.Mount> left = FuseMount.mountsUnder(dir);
        for (FuseMount.Mount mount : left) {
            FuseMount.detachAll(mount.mountPoint());
        }
        assertEquals(List.of(), left, "mounts left behind under " + dir);
    }

    /** Fails when a JVM crash report was written under {@code dir}. */
    static void assertNoCrashReportsUnder(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            List<Path> reports = files.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList();
            assertEquals(List.of(), reports, "JVM crash reports");
        }
    }
}
