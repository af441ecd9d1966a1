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

/**
 * A device the user may not open is reported as EACCES, naming the path. The open runs in a child process
 * that cannot bypass file permissions: this user itself when it is an ordinary user; user {@code nobody}
 * when run as root; root without any capability inside a user namespace, where {@code nobody} has no uid.
 */
class PermissionTest {
    private static final int CAP_DAC_OVERRIDE = 1;
    private static final int CAP_DAC_READ_SEARCH = 2;
    private static final int NOBODY = 65534;

    /** Opens the path given as a pipe and prints the outcome. Runs without the right to bypass permissions. */
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
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path device = Files.createFile(dir.resolve("goldfish_pipe"));
        Files.setPosixFilePermissions(device, PosixFilePermissions.fromString("---------"));

        // Only the project's own class directories: user nobody cannot read root's Maven repository.
        String classPath = String.join(":", location(GoldfishPipe.class), location(OpenAsUser.class));
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(withoutPermissionBypass());
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-XX:-UsePerfData", "-cp", classPath, OpenAsUser.class.getName(), device.toString()));
        String output = Capabilities.run(command, 60);
        assertTrue(output.contains("errno=EACCES"), command + ": " + output);
        assertTrue(output.contains("open(path=" + device), output);
        assertTrue(output.contains("EACCES (13): Permission denied"), output);
    }

    /** The command prefix that runs a child unable to bypass file permissions (nothing when this user cannot). */
    private static List<String> withoutPermissionBypass() throws Exception {
        if (!Capabilities.hasCapability(CAP_DAC_OVERRIDE) && !Capabilities.hasCapability(CAP_DAC_READ_SEARCH)) {
            return List.of();
        }
        Path setpriv = Capabilities.onPath("setpriv");
        Capabilities.require(setpriv != null,
                "needs setpriv (util-linux) to open the device without this user's capabilities");
        if (Capabilities.uidMapped(NOBODY)) {
            return List.of(setpriv.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups");
        }
        // A user namespace that maps no other uid: stay uid 0, but with no capability left to exec with.
        return List.of(setpriv.toString(), "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all");
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
