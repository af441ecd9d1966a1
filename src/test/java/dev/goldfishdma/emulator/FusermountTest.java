package dev.goldfishdma.emulator;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.emulator.fuse.FuseMount;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mounting through fusermount3, the way an ordinary user mounts, forced here so that it is tested whoever
 * runs the tests (root may use fusermount3 as well). The whole suite runs this way when run by an ordinary
 * user (see {@code .ci/run}).
 */
class FusermountTest {
    @TempDir
    static Path workDir;

    @AfterEach
    void defaultMounting() {
        System.clearProperty(FuseMount.METHOD_PROPERTY);
        System.clearProperty(FuseMount.FUSERMOUNT_PROPERTY);
    }

    @AfterAll
    static void nothingLeftBehind() throws IOException {
        if (workDir != null) {
            Leftovers.assertNothingMountedUnder(workDir);
        }
    }

    @Test
    void theEmulatorMountsThroughFusermount3AsThisUser() throws Exception {
        Capabilities.requireFuseMount();
        System.setProperty(FuseMount.METHOD_PROPERTY, "fusermount3");
        Capabilities.require(FuseMount.unavailableReason() == null, "needs fusermount3 (the fuse3 package)");
        Path dir = Files.createDirectory(workDir.resolve("through-fusermount3"));
        try (GoldfishPipeEmulator emulator = GoldfishPipeEmulator.start(dir)) {
            assertTrue(emulator.mountDescription().startsWith("fusermount3 (uid " + Libc.getuid()),
                    emulator.mountDescription());
            String mount = Leftovers.mountInfoLine(dir);
            // fusermount3 mounts for the caller: its uid and gid, nosuid and nodev, the type and source asked for.
            assertTrue(mount.contains(" - fuse.goldfish goldfish "), mount);
            assertTrue(mount.contains("user_id=" + Libc.getuid() + ",group_id=" + Libc.getgid()), mount);
            assertTrue(mount.contains("nosuid") && mount.contains("nodev"), mount);
            // The descriptor received over the socket serves: a pipe echoes, the status file says how.
            try (GuestPipe pipe = GuestPipe.connect(emulator.devicePath(), "echo")) {
                pipe.write("over SCM_RIGHTS".getBytes(StandardCharsets.UTF_8));
                assertEquals("over SCM_RIGHTS", new String(pipe.readExactly(15), StandardCharsets.UTF_8));
            }
            String status = Files.readString(emulator.statusPath());
            List<String> lines = status.lines().toList();
            assertTrue(lines.get(lines.size() - 2).startsWith("mounted-by fusermount3 (uid " + Libc.getuid()), status);
            assertTrue(lines.getLast().startsWith("memory " + emulator.memoryMode().optionName()), status);
        }
        assertFalse(FuseMount.isMountPoint(dir), "fusermount3 -u unmounted it");
    }

    @Test
    void withNoWayToMountTheErrorSaysWhatIsMissing() throws Exception {
        String reason = withoutFusermount3();
        assertTrue(reason.contains("fusermount3") && reason.contains("install the distribution's fuse3 package"),
                reason);
        Path dir = Files.createDirectory(workDir.resolve("no-fusermount3"));
        EmulatorUnavailableException e = assertThrows(EmulatorUnavailableException.class, () -> GoldfishPipeEmulator.start(dir));
        assertEquals(reason, e.getMessage());
        assertFalse(FuseMount.isMountPoint(dir));
    }

    @Test
    void withNoWayToMountAChildAndTheDeviceChoiceSayWhatIsMissingInAnExportedType() throws Exception {
        String reason = withoutFusermount3();
        Capabilities.require(DriverRules.DEVICE_PATHS.stream().noneMatch(Files::exists),
                "a goldfish pipe device exists here, which AvailableDevice would choose");
        // The child is told how to mount (the two properties) and exits with status 3, which comes back typed.
        Path dir = Files.createDirectory(workDir.resolve("child-no-fusermount3"));
        EmulatorUnavailableException child = assertThrows(EmulatorUnavailableException.class,
                () -> EmulatorProcess.start(dir));
        assertEquals(reason, child.getMessage());
        assertFalse(FuseMount.isMountPoint(dir));
        EmulatorUnavailableException chosen = assertThrows(EmulatorUnavailableException.class,
                () -> AvailableDevice.choose(null));
        assertTrue(chosen.getMessage().startsWith("no goldfish pipe device here (none of ")
                && chosen.getMessage().endsWith("and no emulated one can be mounted: " + reason), chosen.getMessage());
    }

    @Test
    void unknownMountWaysAreRefused() {
        System.setProperty(FuseMount.METHOD_PROPERTY, "sudo");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GoldfishPipeEmulator.start(workDir));
        assertTrue(e.getMessage().contains("auto, mount or fusermount3"), e.getMessage());
    }

    /**
     * Forces mounting through a fusermount3 that does not exist, leaving no way to mount (the test is skipped
     * where {@code /dev/fuse} itself is unusable, which would be the reason instead); returns the reason.
     */
    private static String withoutFusermount3() {
        System.setProperty(FuseMount.METHOD_PROPERTY, "fusermount3");
        System.setProperty(FuseMount.FUSERMOUNT_PROPERTY, workDir.resolve("no-such-fusermount3").toString());
        String reason = FuseMount.unavailableReason();
        Capabilities.require(!reason.contains("/dev/fuse"), "/dev/fuse is not usable here: " + reason);
        return reason;
    }
}
