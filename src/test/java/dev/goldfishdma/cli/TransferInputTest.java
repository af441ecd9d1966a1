package dev.goldfishdma.cli;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code transfer} streams any input (a file, standard input, a pipe, a FIFO, a character device with
 * {@code --size}) and reports exactly the bytes moved and verified; sizes take units; bad input is refused
 * before anything starts.
 */
class TransferInputTest {
    @RegisterExtension
    static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();

    private static CliTest.Run transfer(String... args) {
        List<String> all = new ArrayList<>(List.of("transfer", "--device", DEVICE.path().toString()));
        all.addAll(List.of(args));
        return CliTest.run(all.toArray(String[]::new));
    }

    /** The tool in a child JVM with {@code stdin} piped to its standard input: a real pipe, as a shell makes. */
    private static String[] runWithStdin(byte[] stdin, String... args) throws Exception {
        List<String> command = Capabilities.javaCommand(GoldfishDmaCli.class.getName(), args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Void> feeder = CompletableFuture.runAsync(() -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), output);
        feeder.get(10, TimeUnit.SECONDS);
        return new String[] {String.valueOf(p.exitValue()), output};
    }

    @ParameterizedTest
    @ValueSource(strings = {"-", "/dev/stdin"})
    void standardInputThroughAPipeIsSentWhole(String name) throws Exception {
        byte[] data = new byte[12345];
        new Random(1).nextBytes(data);
        String[] run = runWithStdin(data, "transfer", "--device", DEVICE.path().toString(), "--file", name);
        assertEquals("0", run[0], run[1]);
        assertTrue(run[1].contains("transferred 12345 bytes from "), run[1]);
        assertTrue(run[1].contains("verified    every chunk's CRC32C"), run[1]);
    }

    @Test
    void standardInputLargerThanTheRegionGoesInChunks() throws Exception {
        byte[] data = new byte[5 * 65536 + 17];
        new Random(2).nextBytes(data);
        String[] run = runWithStdin(data, "transfer", "--device", DEVICE.path().toString(), "--file", "-",
                "--region-size", "64KiB");
        assertEquals("0", run[0], run[1]);
        assertTrue(run[1].contains("transferred 327697 bytes from standard input in 6 chunk(s) through 2 regions of "
                + "64 KiB in turn"), run[1]);
        assertTrue(run[1].contains("(no baseline: standard input cannot be read again)"), run[1]);
    }

    @Test
    void aFifoIsReadToItsEnd(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        byte[] data = new byte[100_000];
        new Random(3).nextBytes(data);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                Files.write(fifo, data);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CliTest.Run run = transfer("--file", fifo.toString());
        writer.get(30, TimeUnit.SECONDS);
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("transferred 100000 bytes from " + fifo), run.out());
    }

    @Test
    void aCharacterDeviceIsReadForTheSizeGiven() {
        CliTest.Run run = transfer("--file", "/dev/zero", "--size", "5MiB", "--region-size", "2MiB");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("transferred 5242880 bytes (5 MiB) from /dev/zero in 3 chunk(s)"), run.out());

        CliTest.Run endless = transfer("--file", "/dev/zero");
        assertEquals(ExitCode.USAGE.code(), endless.exitCode(), endless.toString());
        assertTrue(endless.err().contains("/dev/zero is a character device, which may never end: give --size"),
                endless.err());
    }

    @Test
    void aFileIsSentWholeOrForTheSizeGiven(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data");
        byte[] data = new byte[70_000];
        new Random(4).nextBytes(data);
        Files.write(file, data);
        CliTest.Run whole = transfer("--file", file.toString(), "--region-size", "16KiB");
        assertEquals(0, whole.exitCode(), whole.toString());
        assertTrue(whole.out().contains("transferred 70000 bytes from " + file + " in 5 chunk(s)"), whole.out());

        CliTest.Run part = transfer("--file", file.toString(), "--size", "64KiB");
        assertEquals(0, part.exitCode(), part.toString());
        assertTrue(part.out().contains("transferred 65536 bytes (64 KiB) from " + file), part.out());

        CliTest.Run tooMuch = transfer("--file", file.toString(), "--size", "1MiB");
        assertEquals(ExitCode.USAGE.code(), tooMuch.exitCode(), tooMuch.toString());
        assertTrue(tooMuch.err().contains("has 70000 bytes, fewer than --size 1048576"), tooMuch.err());

        Path empty = Files.createFile(dir.resolve("empty"));
        CliTest.Run nothing = transfer("--file", empty.toString());
        assertEquals(0, nothing.exitCode(), nothing.toString());
        assertTrue(nothing.out().contains("transferred 0 bytes: " + empty + " was empty"), nothing.out());
    }

    @Test
    void sizesTakeUnitsEverywhere() {
        CliTest.Run run = transfer("--size", "200KiB", "--region-size", "64KiB");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("transferred 204800 bytes (200 KiB) from random data in 4 chunk(s) through 2 "
                + "regions of 64 KiB in turn"), run.out());
        CliTest.Run probe = CliTest.run("probe", "--device", DEVICE.path().toString(), "--size", "32KiB");
        assertEquals(0, probe.exitCode(), probe.toString());
        assertTrue(probe.out().contains("CREATE    region of 32768 bytes: ok"), probe.out());

        CliTest.Run bad = transfer("--size", "12XB");
        assertEquals(ExitCode.USAGE.code(), bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("\"12XB\" is not a size"), bad.err());
        assertEquals(ExitCode.USAGE.code(), transfer("--region-size", "4097").exitCode());
        assertEquals(ExitCode.USAGE.code(), transfer("--size", "99999999999GiB").exitCode());
    }

    @Test
    void aMissingFileOrADirectoryIsAUsageErrorSaidPlainly(@TempDir Path dir) {
        Path missing = dir.resolve("missing");
        CliTest.Run run = transfer("--file", missing.toString());
        assertEquals(ExitCode.USAGE.code(), run.exitCode(), run.toString());
        assertTrue(run.err().contains("--file: " + missing + " does not exist"), run.err());

        CliTest.Run directory = transfer("--file", dir.toString());
        assertEquals(ExitCode.USAGE.code(), directory.exitCode(), directory.toString());
        assertTrue(directory.err().contains("--file: " + dir + " is a directory"), directory.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"transfer --service", "bench --service", "probe --service", "transfer --file",
            "probe --size", "transfer --region-size"})
    void badArgumentsAreRefusedBeforeAnEmulatorIsStarted(String commandAndOption) {
        Capabilities.require(DriverRules.DEVICE_PATHS.stream().noneMatch(Files::exists),
                "this machine has a real goldfish pipe device, so no emulator would be started");
        String[] parts = commandAndOption.split(" ");
        String bad = switch (parts[1]) {
            case "--service" -> "s".repeat(DriverRules.MAX_SERVICE_NAME_BYTES + 1);
            case "--file" -> "/nonexistent/input";
            default -> "4097";
        };
        CliTest.Run run = CliTest.run(parts[0], parts[1], bad);
        assertEquals(ExitCode.USAGE.code(), run.exitCode(), run.toString());
        assertEquals("", run.out(), "nothing was started");
    }
}
