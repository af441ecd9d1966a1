package dev.goldfishdma.cli;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.emulator.AvailableDevice;
import dev.goldfishdma.emulator.fuse.FuseMount;
import dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command-line tool, run in-process against the emulated device; output and exit codes checked. */
class CliTest {
    @RegisterExtension
    static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();

    /** What one run printed, and its exit code. */
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = GoldfishDmaCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void probeReportsTheDriversBehaviourStepByStep() {
        Run run = run("probe", "--device", DEVICE.path().toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("GETOFF    before any region: {phys_begin=0x0, size=0} (as the driver)"), run.out());
        assertTrue(run.out().contains("GETOFF    created, not mapped: {phys_begin=0x0, size=65536} (as the driver)"),
                run.out());
        assertTrue(run.out().matches("(?s).*GETOFF    mapped: \\{phys_begin=0x[1-9a-f][0-9a-f]*, size=65536\\} "
                + "\\(allocated at mmap, as the driver\\).*"), run.out());
        assertTrue(run.out().matches("(?s).*\nmemory    (passthrough|page-cache)[^\n]*\n.*"), run.out());
        assertTrue(run.out().contains("CREATE    a second time: EBUSY (16) (as the driver)"), run.out());
        assertTrue(run.out().contains("ENOTTY (25)"), run.out());
        assertTrue(run.out().contains("verdict   a goldfish pipe with DMA, behaving as the driver"), run.out());
    }

    @Test
    void probeOfDevNullSaysItIsNotAGoldfishPipe() {
        Run run = run("probe", "--device", "/dev/null");
        assertEquals(4, run.exitCode(), run.toString());
        assertTrue(run.err().contains("/dev/null is not a goldfish pipe with DMA"), run.err());
        assertTrue(run.err().contains("ENOTTY (25)"), run.err());
    }

    @Test
    void probeOfAMissingPathSaysSo(@TempDir Path dir) {
        Path missing = dir.resolve("goldfish_pipe");
        Run run = run("probe", "--device", missing.toString());
        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.err().contains(missing + " does not exist"), run.err());
    }

    @Test
    void transferVerifiesEveryChunkWithTheHost() {
        Run run = run("transfer", "--device", DEVICE.path().toString(), "--size", "5MiB", "--region-size", "2MiB");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("transferred 5242880 bytes (5 MiB) from random data in 3 chunk(s) through 2 "
                + "regions of 2 MiB in turn, the first at 0x"), run.out());
        assertTrue(run.out().contains(", 3 times\n"), run.out());
        assertTrue(run.out().matches("(?s).*\nmemory      (passthrough|page-cache)[^\n]*\n.*"), run.out());
        assertTrue(run.out().contains("verified    every chunk's CRC32C"), run.out());
        assertTrue(run.out().matches("(?s).*throughput  end to end with host verification [0-9.]+ [GM]B/s; baseline, "
                + "the same random data into memory with no device, [0-9.]+ [GM]B/s; ratio [0-9.]+ \\(best of 3 "
                + "passes each\\)\n.*"), run.out());
        assertTrue(run.out().matches("(?s).*setup       opening, creating and prefaulting the regions: [0-9.]+ ms.*"),
                run.out());
        assertTrue(!run.out().contains("peak resident memory"), "a device given: not this run's emulator");
    }

    @Test
    void transferLargerThanTheLargestRegionGoesInChunks() {
        Run run = run("transfer", "--device", DEVICE.path().toString(), "--size", "257MiB", "--passes", "1");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("transferred 269484032 bytes (257 MiB) from random data in 9 chunk(s) through 2 "
                + "regions of 32 MiB in turn"), run.out());
        assertTrue(run.out().contains("ratio"), run.out());
        assertTrue(!run.out().contains("best of"), run.out());
    }

    @Test
    void transferOfAFileSendsItsBytes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("payload.bin");
        byte[] data = new byte[3 * 4096 + 123];
        new java.util.Random(5).nextBytes(data);
        Files.write(file, data);
        Run run = run("transfer", "--device", DEVICE.path().toString(), "--file", file.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("transferred 12411 bytes from " + file + " in 1 chunk(s) through a 16 KiB region"),
                run.out());
        assertTrue(run.out().contains("baseline, read(2) of the same file into memory with no device"), run.out());
    }

    @Test
    void transferToAServiceThatIsNotThereFails() {
        Run run = run("transfer", "--device", DEVICE.path().toString(), "--size", "1MiB", "--service", "nothing-here");
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("EIO"), run.err());
        assertTrue(run.err().contains("the host has no service named \"nothing-here\""), run.err());
    }

    @Test
    void aGivenDeviceIsTakenAsItIs(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("goldfish_pipe");
        try (AvailableDevice device = AvailableDevice.choose(missing)) {
            assertEquals(missing, device.path());
            assertEquals(AvailableDevice.Choice.GIVEN, device.choice());
            assertEquals("given", device.reason());
        }
    }

    @Test
    void withNoRealDeviceAnEmulatedOneIsChosenAndRemovedOnClose() throws Exception {
        Capabilities.require(noRealDevice(), "this machine has a real goldfish pipe device");
        Capabilities.requireFuseMount();
        Path path;
        try (AvailableDevice device = AvailableDevice.choose()) {
            path = device.path();
            assertEquals(AvailableDevice.Choice.EMULATED, device.choice());
            assertTrue(device.emulated());
            for (Path known : DriverRules.DEVICE_PATHS) {
                assertTrue(device.reason().contains(known.toString()), device.reason());
            }
            assertTrue(Files.exists(path), path + " exists while chosen");
        }
        assertTrue(!Files.exists(path.getParent()), "the emulated device's directory is gone: " + path);
    }

    private static boolean noRealDevice() {
        return DriverRules.DEVICE_PATHS.stream().noneMatch(Files::exists);
    }

    @Test
    void withNoDeviceTheToolStartsAnEmulatedOne() {
        Capabilities.require(noRealDevice(), "this machine has a real goldfish pipe device");
        Run run = run("transfer", "--size", "2MiB");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("no goldfish pipe device here; using an emulated one at "), run.out());
        assertTrue(run.out().matches("(?s).*\nemulator    peak resident memory \\(VmHWM\\) of process [0-9]+: [0-9]+ MiB\n.*"),
                run.out());
        String path = run.out().substring(run.out().indexOf(" at ") + 4, run.out().indexOf(" (mounted by "));
        assertTrue(run.out().contains(" (mounted by " + FuseMount.expectedMethod() + " (uid " + Libc.getuid()),
                "says how the device was mounted: " + run.out());
        assertTrue(!Files.exists(Path.of(path).getParent()), "the emulated device's directory is gone: " + path);
    }

    @Test
    void withNoWayToMountFuseTheToolExitsWith3AndSaysWhatToInstall(@TempDir Path dir) {
        Capabilities.require(noRealDevice(), "this machine has a real goldfish pipe device");
        System.setProperty(FuseMount.METHOD_PROPERTY, "fusermount3");
        System.setProperty(FuseMount.FUSERMOUNT_PROPERTY, dir.resolve("no-such-fusermount3").toString());
        try {
            String reason = FuseMount.unavailableReason();
            Capabilities.require(!reason.contains("/dev/fuse"), "/dev/fuse is not usable here: " + reason);
            // transfer starts its emulated device in a child process, which tells why it could not mount.
            Run transfer = run("transfer", "--size", "1MiB");
            assertEquals(3, transfer.exitCode(), transfer.toString());
            assertTrue(transfer.err().contains(reason), transfer.err());
            Run emulator = run("emulator", dir.resolve("mnt").toString());
            assertEquals(3, emulator.exitCode(), emulator.toString());
            assertTrue(emulator.err().contains(reason), emulator.err());
        } finally {
            System.clearProperty(FuseMount.METHOD_PROPERTY);
            System.clearProperty(FuseMount.FUSERMOUNT_PROPERTY);
        }
    }

    @Test
    void benchPrintsItsTable() {
        Run run = run("bench", "--device", DEVICE.path().toString(), "--runs", "1", "--calls", "50");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("copy byte[] -> region (32 MiB)"), run.out());
        assertTrue(run.out().contains("lock + unlock (LOCK, UNLOCK ioctls)"), run.out());
        assertTrue(run.out().matches("(?s).*ioctl on /dev/null, ENOTTY \\(kernel only\\) +[0-9]+ ns/call.*"), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"probe", "transfer", "bench", "emulator"})
    void everyCommandHasHelp(String command) {
        Run run = run(command, "--help");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("Usage: goldfish-dma " + command), run.out());
        assertTrue(run.out().contains("Exit codes"), run.out());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertEquals(2, run("transfer", "--size", "-3", "--device", DEVICE.path().toString()).exitCode());
        assertEquals(2, run("transfer", "--passes", "0", "--device", DEVICE.path().toString()).exitCode());
        assertEquals(2, run("probe", "--size", "4097", "--device", DEVICE.path().toString()).exitCode());
        Run memory = run("probe", "--memory", "shared", "--device", DEVICE.path().toString());
        assertEquals(2, memory.exitCode(), memory.toString());
        assertTrue(memory.err().contains("unknown memory mode \"shared\": use one of auto, passthrough, page-cache"),
                memory.err());
        assertEquals(2, run("nonsense").exitCode());
        Run top = run();
        assertEquals(0, top.exitCode());
        assertTrue(top.out().contains("probe") && top.out().contains("emulator"), top.out());
    }
}
