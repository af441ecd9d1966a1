package dev.goldfishdma.cli;

import dev.goldfishdma.device.DeviceProbe;
import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.device.RegionLock;
import dev.goldfishdma.device.RegionOption;
import dev.goldfishdma.emulator.MemoryMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * A quick look at the current device's speed: copy throughput into a 32 MiB region and the cost of the
 * ioctls of an upload. Best-of-N wall-clock figures, good for comparing devices; the published numbers come
 * from the JMH suite in bench/.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Quick throughput and ioctl table on the current device (best of a few runs; the JMH suite in "
                + "bench/ gives the real numbers).",
                "On a terminal, a progress line says which figure runs, how far it is and the time left."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--device", paramLabel = "PATH",
            description = "The device. Default: a known device path, else an emulated device started for the run.")
    Path device;

    @Option(names = "--memory", paramLabel = "MODE", converter = MemoryOption.class,
            description = MemoryOption.DESCRIPTION + " Only for an emulated device started for the run.")
    MemoryMode memory = MemoryMode.fromSystemProperty();

    @Option(names = "--service", defaultValue = "opengles", paramLabel = "NAME",
            description = "The host service the region's pipe connects to (default: ${DEFAULT-VALUE}).")
    String service;

    @Option(names = "--runs", defaultValue = "5", description = "Copies per figure; the best counts (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--calls", defaultValue = "20000", description = "ioctl calls per figure (default: ${DEFAULT-VALUE}).")
    int calls;

    @ParentCommand
    GoldfishDmaCli tool;

    /** The figures measured, each a step of the progress shown on a terminal. */
    private static final int FIGURES = 7;
    private Progress progress;
    private int figure;
    private String measuring;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || calls < 1) {
            throw new IllegalArgumentException("--runs and --calls must be positive");
        }
        DriverRules.checkServiceName(service);
        PrintWriter out = spec.commandLine().getOut();
        long size = DriverRules.DMA_BUFFER_SIZE;
        try (CommandDevice chosen = CommandDevice.choose(device, memory, out);
             GoldfishPipe pipe = GoldfishPipe.open(chosen.path(), service);
             DmaRegion region = pipe.createRegion(size, RegionOption.PREFAULT);
             Arena arena = Arena.ofConfined()) {
            byte[] heap = new byte[(int) size];
            new java.util.SplittableRandom(7).nextBytes(heap);
            MemorySegment offHeap = arena.allocate(size, 64);
            MemorySegment.copy(heap, 0, offHeap, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, heap.length);
            region.physicalAddress();

            out.printf("device %s, region %s, JDK %s, %s%n", chosen.path(), Units.bytes(size),
                    Runtime.version(), System.getProperty("os.arch"));
            out.printf("%-44s %14s%n", "what", "best");
            progress = Progress.on(out, tool != null && tool.terminal());
            row(out, measuring("copy byte[] -> region (32 MiB)"),
                    throughput(size, () -> region.write(0, heap, 0, heap.length)));
            row(out, measuring("copy native segment -> region (32 MiB)"),
                    throughput(size, () -> region.write(0, offHeap)));
            row(out, measuring("copy region -> byte[] (32 MiB)"),
                    throughput(size, () -> region.read(0, heap, 0, heap.length)));
            row(out, measuring("lock + unlock (LOCK, UNLOCK ioctls)"), perCall(() -> {
                try (RegionLock held = region.lock()) {
                    held.region();
                }
            }));
            row(out, measuring("GETOFF ioctl (regionInfo)"), perCall(pipe::regionInfo));
            row(out, measuring("physicalAddress() (remembered)"), perCall(region::physicalAddress));
            // A goldfish ioctl on a file that is no device: the kernel answers ENOTTY by itself.
            try (DeviceProbe devNull = DeviceProbe.open(Path.of("/dev/null"))) {
                row(out, measuring("ioctl on /dev/null, ENOTTY (kernel only)"), perCall(devNull::unknownIoctl));
            }
            progress.clear();
        }
        return ExitCode.OK.code();
    }

    @FunctionalInterface
    private interface Step {
        void run() throws IOException;
    }

    /** Starts the next figure: its name is what the progress line shows. */
    private String measuring(String what) {
        measuring = what;
        progress.show(String.format(java.util.Locale.ROOT, "[%d/%d] %s", figure + 1, FIGURES, what),
                (double) figure / FIGURES, true);
        return what;
    }

    /** "[3/7] copy region -> byte[] (32 MiB), run 2 of 6:  40%, about 5 s left", on a terminal only. */
    private void showProgress(String unit, long done, long of) {
        double fraction = (figure + (double) done / of) / FIGURES;
        progress.show(String.format(java.util.Locale.ROOT, "[%d/%d] %s, %s %d of %d", figure + 1, FIGURES, measuring,
                unit, done + 1, of), fraction, false);
    }

    private String throughput(long bytes, Step copy) throws IOException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < runs + 1; i++) {
            showProgress("run", i, runs + 1);
            long t0 = System.nanoTime();
            copy.run();
            long t = System.nanoTime() - t0;
            if (i > 0) {
                best = Math.min(best, t);
            }
        }
        return Units.rate(bytes, best);
    }

    private String perCall(Step call) throws IOException {
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        long best = Long.MAX_VALUE;
        for (int r = 0; r < 3; r++) {
            showProgress("round", r + 1, 4);
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        return String.format(Locale.ROOT, "%.0f ns/call", (double) best / calls);
    }

    private void row(PrintWriter out, String what, String value) {
        progress.clear();
        out.printf("%-44s %14s%n", what, value);
        out.flush();
        figure++;
    }
}
