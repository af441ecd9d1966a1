package dev.goldfishdma.cli;

import dev.goldfishdma.device.DeviceProbe;
import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.device.ProbeReport;
import dev.goldfishdma.device.ProbeStep;
import dev.goldfishdma.device.RegionInfo;
import dev.goldfishdma.emulator.MemoryMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Finds the device and walks it through the driver's steps one system call at a time ({@link DeviceProbe}),
 * printing what the device answered at each and whether that is what the driver answers.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Find the goldfish pipe device, create and map a small DMA region, and report what the "
                + "driver does at each step."})
final class ProbeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--device", paramLabel = "PATH",
            description = "The device to probe. Default: the first of /dev/goldfish_pipe, /dev/goldfish_pipe_dprctd, "
                    + "/dev/qemu_pipe that exists, else an emulated device started for the run.")
    Path device;

    @Option(names = "--memory", paramLabel = "MODE", converter = MemoryOption.class,
            description = MemoryOption.DESCRIPTION + " Only for an emulated device started for the run.")
    MemoryMode memory = MemoryMode.fromSystemProperty();

    @Option(names = "--service", defaultValue = "opengles", paramLabel = "NAME",
            description = "The host service to connect to (default: ${DEFAULT-VALUE}).")
    String service;

    @Option(names = "--size", defaultValue = "64KiB", paramLabel = "SIZE", converter = ByteSizes.class,
            description = "The region size to create: bytes (65536) or whole KiB, MiB (default: ${DEFAULT-VALUE}).")
    long size;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        DriverRules.checkRegionSize(size);
        DriverRules.checkServiceName(service);
        try (CommandDevice chosen = CommandDevice.choose(device, memory, out)) {
            return probe(chosen.path(), chosen.reason(), chosen.memory(), out);
        }
    }

    private int probe(Path path, String reason, String memory, PrintWriter out) throws IOException {
        out.println("device    " + path + " (" + reason + ")");
        out.println("memory    " + memory);
        try (DeviceProbe probe = DeviceProbe.open(path)) {
            ProbeReport report = probe.run(service, size, step -> {
                out.println(line(step));
                out.flush();
            });
            if (report.failure().isPresent()) {
                throw report.failure().get();
            }
            boolean ok = report.behavesAsDriver();
            out.println("verdict   " + (ok ? "a goldfish pipe with DMA, behaving as the driver"
                    : "a goldfish pipe, but these steps did not answer as the driver (see above): "
                    + report.differences().stream().map(step -> step.kind().toString())
                            .collect(java.util.stream.Collectors.joining(", "))));
            return ok ? ExitCode.OK.code() : ExitCode.FAILURE.code();
        }
    }

    private static String line(ProbeStep step) {
        return switch (step.kind()) {
            case OPEN -> "open      O_RDWR: " + step.detail();
            case GETOFF_BEFORE_REGION -> "GETOFF    before any region: " + regionInfo(step) + comparison(step);
            case CONNECT -> "connect   wrote " + step.detail() + (step.succeeded() ? "" : ": " + result(step));
            case CREATE_REGION -> "CREATE    region of " + step.detail() + ": "
                    + (step.succeeded() ? "ok" : result(step) + comparison(step));
            case CREATE_REGION_AGAIN -> "CREATE    a second time: " + result(step) + comparison(step);
            case GETOFF_BEFORE_MMAP -> "GETOFF    created, not mapped: " + regionInfo(step) + comparison(step);
            case MMAP -> "mmap      " + step.detail() + ": " + (step.succeeded() ? "ok" : result(step));
            case GETOFF_AFTER_MMAP -> "GETOFF    mapped: " + regionInfo(step)
                    + (!step.succeeded() ? comparison(step) : step.regionInfo().allocated()
                    ? " (allocated at mmap, as the driver)" : " (not allocated yet)");
            case TOUCH -> "touch     " + step.detail();
            case GETOFF_AFTER_TOUCH -> "GETOFF    after the first write: " + regionInfo(step)
                    + (step.asDriver() ? " (allocated at the first touch, not at mmap)" : comparison(step));
            case LOCK -> "LOCK      " + result(step) + comparison(step);
            case UNLOCK -> "UNLOCK    " + result(step) + comparison(step);
            case UNKNOWN_IOCTL -> "ioctl     unknown " + step.detail() + ": " + result(step) + comparison(step);
        };
    }

    /** What GETOFF reported, or its error. */
    private static String regionInfo(ProbeStep step) {
        if (!step.succeeded()) {
            return result(step);
        }
        RegionInfo info = step.regionInfo();
        return "{phys_begin=0x" + Long.toHexString(info.physicalAddress()) + ", size=" + info.size() + "}";
    }

    private static String result(ProbeStep step) {
        return step.succeeded() ? "0" : step.errnoName() + " (" + step.errno() + ")";
    }

    private static String comparison(ProbeStep step) {
        if (step.driverAnswer() == null) {
            return "";
        }
        return step.asDriver() ? " (as the driver)" : " (the driver answers " + step.driverAnswer() + ")";
    }
}
