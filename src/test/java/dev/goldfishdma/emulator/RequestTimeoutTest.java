package dev.goldfishdma.emulator;

import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --request-timeout}: a client of an emulator that has stopped answering (SIGSTOP) gets an error once
 * the kernel's timeout has passed, instead of waiting for ever; the stopped emulator, continued, finds its
 * connection aborted, ends and leaves no mount.
 */
class RequestTimeoutTest {
    /** What the kernel waits at least, whatever is asked: it checks for expired requests every 15 s. */
    private static final int TIMEOUT_SECONDS = 1;
    /** Two periods of the kernel's check, and a margin for a loaded machine. */
    private static final long CLIENT_WAIT_SECONDS = 75;

    @TempDir
    static Path workDir;

    @AfterAll
    static void nothingLeftBehind() throws IOException {
        if (workDir != null) {
            Leftovers.assertNothingMountedUnder(workDir);
        }
    }

    @Test
    void aClientOfAStoppedEmulatorGetsAnErrorInsteadOfHanging() throws Exception {
        Capabilities.requireFuseMount();
        Path sh = Capabilities.onPath("sh");
        Capabilities.require(sh != null, "sh is not on PATH");
        EmulatorProcess emulator;
        try {
            emulator = EmulatorProcess.start(Files.createDirectory(workDir.resolve("mnt")),
                    EmulatorOptions.builder().requestTimeoutSeconds(TIMEOUT_SECONDS).build(),
                    EmulatorProcess.DEFAULT_READY_TIMEOUT);
        } catch (IOException e) {
            Capabilities.require(!String.valueOf(e.getMessage()).contains("FUSE_REQUEST_TIMEOUT"),
                    "the kernel has no FUSE request timeout (Linux 6.14 or newer): " + e.getMessage());
            throw e;
        }
        try (emulator) {
            signal("STOP", emulator.pid());
            Process client = new ProcessBuilder(sh.toString(), "-c", "exec cat \"$0\"", emulator.statusPath().toString())
                    .redirectErrorStream(true).start();
            boolean ended;
            String said;
            try {
                ended = client.waitFor(CLIENT_WAIT_SECONDS, TimeUnit.SECONDS);
                said = ended ? new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
            } finally {
                client.destroyForcibly();
                signal("CONT", emulator.pid());
            }
            assertTrue(ended, "the client of the stopped emulator still waits after " + CLIENT_WAIT_SECONDS + " s");
            assertNotEquals(0, client.exitValue(), said);
            assertTrue(said.contains("Software caused connection abort") || said.contains("not connected"), said);
            assertTrue(emulator.processHandle().onExit().get(30, TimeUnit.SECONDS) != null,
                    "the emulator ends once its connection is aborted");
        }
    }

    private static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " " + pid);
    }
}
