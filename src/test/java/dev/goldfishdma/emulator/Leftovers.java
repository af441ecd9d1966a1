package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.FuseMount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The emulator tests' look at the mount table: what one mount is, that nothing stays mounted; and no JVM crashed. */
final class Leftovers {
    private Leftovers() {
    }

    /** The line of {@code /proc/self/mountinfo} of the one mount on {@code dir}; fails unless there is exactly one. */
    static String mountInfoLine(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(line -> line.split(" ")[4].equals(dir.toAbsolutePath().toString())).toList();
        assertEquals(1, lines.size(), "one mount on " + dir + ": " + lines);
        return lines.getFirst();
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
