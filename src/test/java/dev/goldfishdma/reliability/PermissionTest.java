package dev.goldfishdma.reliability;

import dev.goldfishdma.device.DeviceException;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A device the user may not open is reported as EACCES, naming the path; checked as an unprivileged user. */
class PermissionTest {

    /** Opens the path given as a pipe and prints the outcome. Runs as an unprivileged user. */
    public static final class OpenAsUser {
        public static void main(String[] args) throws Exception {
            try (GoldfishPipe pipe = GoldfishPipe.open(Path.of(args[0]), "echo")) {
                System.out.println("opened " + pipe);
            } catch (DeviceException e) {
                System.out.println("errno=" + e.errnoName() + " message=" + e.getMessage());
            }
        }
    }

    @Test
    void aDeviceWithoutPermissionIsEacces(@TempDir Path dir) throws Exception {
        Path setpriv = Capabilities.onPath("setpriv");
        Capabilities.require(setpriv != null, "setpriv (util-linux) is not installed");
        Capabilities.require("root".equals(System.getProperty("user.name")),
                "needs root to run a child process as another user");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path device = Files.createFile(dir.resolve("goldfish_pipe"));
        Files.setPosixFilePermissions(device, PosixFilePermissions.fromString("---------"));

        // Only the project's own class directories: an unprivileged user cannot read root's Maven repository.
        String classPath = String.join(":", location(GoldfishPipe.class), location(OpenAsUser.class));
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534",
                "--clear-groups", java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-XX:-UsePerfData", "-cp", classPath, OpenAsUser.class.getName(), device.toString()));
        String output = Capabilities.run(command, 60);
        assertTrue(output.contains("errno=EACCES"), output);
        assertTrue(output.contains("open(path=" + device), output);
        assertTrue(output.contains("EACCES (13): Permission denied"), output);
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
