package dev.goldfishdma.cli;

import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One exit code table: the code's, the one under every command's --help, and the README's are the same. */
class ExitCodeTableTest {
    private static final Pattern README_ROW = Pattern.compile("^\\| (\\d+) \\| (.+) \\|$");

    private static Map<String, String> fromCode() {
        Map<String, String> table = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            table.put(String.valueOf(c.code()), c.meaning());
        }
        return table;
    }

    @Test
    void theReadmeHasTheCodesTable() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("### Exit codes");
        assertTrue(start >= 0, "the README has an exit codes section");
        Map<String, String> table = new LinkedHashMap<>();
        for (String line : readme.substring(start).split("\n")) {
            if (line.startsWith("#") && !table.isEmpty()) {
                break;
            }
            Matcher m = README_ROW.matcher(line);
            if (m.matches()) {
                table.put(m.group(1), m.group(2));
            }
        }
        assertEquals(fromCode(), table);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "probe", "transfer", "bench", "emulator"})
    void everyHelpHasTheCodesTable(String command) {
        CliTest.Run run = command.isEmpty() ? CliTest.run("--help") : CliTest.run(command, "--help");
        assertEquals(0, run.exitCode(), run.toString());
        String help = run.out().replaceAll("\r", "");
        int start = help.indexOf("Exit codes:");
        assertTrue(start >= 0, help);
        Map<String, String> table = new LinkedHashMap<>();
        String last = null;
        for (String line : help.substring(start + "Exit codes:".length()).strip().split("\n")) {
            Matcher m = Pattern.compile("^\\s*(\\d+)\\s{2,}(.+)$").matcher(line);
            if (m.matches()) {
                last = m.group(1);
                table.put(last, m.group(2).strip());
            } else if (last != null && !line.isBlank()) {
                table.put(last, table.get(last) + " " + line.strip());   // a wrapped meaning
            }
        }
        assertEquals(fromCode(), table);
    }

    @Test
    void aTerminatedEmulatorExitsWithTheCodeTheTableGives() throws Exception {
        Capabilities.requireFuseMount();
        Path dir = Files.createTempDirectory("goldfish-exit-");
        Process p = new ProcessBuilder(Capabilities.javaCommand(GoldfishDmaCli.class.getName(), "emulator",
                dir.toString())).redirectErrorStream(true).start();
        try {
            String first = new String(p.getInputStream().readNBytes(32));
            assertTrue(first.startsWith("serving"), first);
            p.destroy();   // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(ExitCode.TERMINATED.code(), p.exitValue());
        } finally {
            p.destroyForcibly().waitFor();
            Files.deleteIfExists(dir);
        }
    }
}
