package dev.goldfishdma.emulator;

import dev.goldfishdma.testing.Capabilities;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The emulator tests' requirements and their check that nothing stays mounted. */
final class FuseCapability {
    private static final int CAP_SYS_ADMIN = 21;

    private FuseCapability() {
    }

    /** Skips the test (fails it under CI) unless /dev/fuse is usable and mount(2) is permitted. */
    static void require() {
        Path fuse = Path.of("/dev/fuse");
        Capabilities.require(Files.isReadable(fuse) && Files.isWritable(fuse),
                "/dev/fuse is missing or not readable and writable");
        Capabilities.require(hasSysAdmin(), "mounting needs CAP_SYS_ADMIN (run as root)");
    }

    private static boolean hasSysAdmin() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                    return (caps & (1L << CAP_SYS_ADMIN)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    /** Fails when a mount is left on or below {@code dir}, detaching it first so the run stays clean. */
    static void assertNothingMountedUnder(Path dir) throws IOException {
        List<MountTable.Mount> left = MountTable.mountsUnder(dir);
        for (MountTable.Mount mount : left) {
            EmulatorProcess.detachLeftovers(mount.mountPoint());
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
