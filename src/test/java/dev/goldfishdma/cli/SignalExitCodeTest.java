package dev.goldfishdma.cli;

import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented exit codes of a tool stopped by a signal (130 for SIGINT, 143 for SIGTERM), and the promise
 * that goes with them: the emulated device started for the run is gone, its process and its mount.
 */
class SignalExitCodeTest {
    private static final Pattern EMULATED = Pattern.compile("using an emulated one at (\\S+)");

    @TempDir
    Path workDir;

    @ParameterizedTest(name = "SIG{0} -> exit {1}")
    @CsvSource({"INT, 130", "TERM, 143"})
    void aSignalEndsTheRunWithItsCodeAndRemovesTheEmulatedDevice(String signal, int expected) throws Exception {
        Capabilities.requireFuseMount();
        // A JVM leaves SIGINT and SIGTERM ignored when it starts with them ignored, as a background job of a
        // non-interactive shell does: reset them, so that the child behaves as it does under a terminal.
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM"));
        command.addAll(Capabilities.javaCommand(GoldfishDmaCli.class.getName(), "transfer", "--file=-"));
        // The tool's standard input stays open and empty: it waits in read(2), its device already set up.
        Process tool = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        try {
            Path device = null;
            StringBuilder seen = new StringBuilder();
            BufferedReader out = new BufferedReader(new InputStreamReader(tool.getInputStream(), StandardCharsets.UTF_8));
            for (String line; device == null && (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                Matcher m = EMULATED.matcher(line);
                if (m.find()) {
                    device = Path.of(m.group(1));
                }
            }
            assertNotNull(device, "the tool did not say it started an emulated device:\n" + seen);
            Path mountDir = device.getParent();
            assertTrue(mounted(mountDir), "the emulated device is not mounted at " + mountDir);
            List<ProcessHandle> emulator = tool.toHandle().descendants().toList();
            assertFalse(emulator.isEmpty(), "no emulator child process");

            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(tool.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
            assertTrue(tool.waitFor(60, TimeUnit.SECONDS), "the tool did not end after SIG" + signal);
            String rest = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(expected, tool.exitValue(), seen + rest);

            for (ProcessHandle child : emulator) {
                child.onExit().get(30, TimeUnit.SECONDS);
                assertFalse(child.isAlive(), "emulator process " + child.pid() + " outlived the tool");
            }
            assertFalse(mounted(mountDir), "the emulated device is still mounted at " + mountDir);
        } finally {
            tool.destroyForcibly();
        }
    }

    private static boolean mounted(Path dir) throws Exception {
        String target = dir.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && fields[4].replace("\\040", " ").equals(target)) {
                return true;
            }
        }
        return false;
    }
}
