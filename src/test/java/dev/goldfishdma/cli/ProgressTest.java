package dev.goldfishdma.cli;

import dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench} shows its progress on a terminal (a real pseudo-terminal, made by {@code script}) and prints
 * plain lines when its output is not one.
 */
class ProgressTest {
    @RegisterExtension
    static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();

    private List<String> bench() {
        return Capabilities.javaCommand(GoldfishDmaCli.class.getName(), "bench", "--device", DEVICE.path().toString(),
                "--runs", "20", "--calls", "20000");
    }

    @Test
    void onATerminalBenchSaysWhatRunsHowFarAndTheTimeLeft() throws Exception {
        Path script = Capabilities.onPath("script");
        Capabilities.require(script != null, "script (util-linux) is not installed: no pseudo-terminal to run in");
        String command = bench().stream().map(ProgressTest::quoted).collect(Collectors.joining(" "));
        List<String> underTerminal = new ArrayList<>(List.of(script.toString(), "-qec", command, "/dev/null"));
        String output = Capabilities.run(underTerminal, 300);
        assertTrue(output.contains("\r[1/7] copy byte[] -> region (32 MiB)"), output);
        assertTrue(output.matches("(?s).*\\r\\[4/7\\] lock \\+ unlock \\(LOCK, UNLOCK ioctls\\)[^\\r]*%.*"), output);
        assertTrue(output.contains("[7/7] ioctl on /dev/null, ENOTTY (kernel only)"), output);
        assertTrue(output.matches("(?s).*\\r\\[[2-7]/7\\] [^\\r]*, (about [0-9]+ s|under 1 s) left.*"), output);
        assertTrue(output.contains("lock + unlock (LOCK, UNLOCK ioctls)"), output);
    }

    @Test
    void withOutputToAPipeBenchPrintsOnlyItsTable() throws Exception {
        String output = Capabilities.run(bench(), 300);
        assertTrue(output.contains("ioctl on /dev/null, ENOTTY (kernel only)"), output);
        assertFalse(output.contains("\r"), "no progress line: " + output);
        assertFalse(output.contains("[1/7]"), output);
        assertEquals(-1, output.indexOf(" left"), output);
    }

    private static String quoted(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
