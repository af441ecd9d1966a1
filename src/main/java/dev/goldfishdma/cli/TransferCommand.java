package dev.goldfishdma.cli;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.emulator.fuse.MemoryMode;
import dev.goldfishdma.service.DmaServiceProtocol;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Moves data through DMA regions to the host's checksum service and checks, chunk by chunk, that the host
 * read exactly what was written: the guest's own CRC32C against the host's ({@link TransferPipeline}). The
 * report sets the throughput against a baseline measured in the same run, reading the same input into
 * memory with no device ({@link TransferBaseline}), and gives the emulator's peak memory when the tool
 * started the emulated device.
 */
@Command(name = "transfer", mixinStandardHelpOptions = true,
        description = {"Send a file, or N MiB of random data, through a DMA region to the host's checksum service, "
                + "verify each chunk's CRC32C and print the throughput, against reading the same input into memory.",
                "Exit codes: 0 verified; 1 a checksum differed or a call failed; 3 no device; 4 not a goldfish pipe."})
final class TransferCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--device", paramLabel = "PATH",
            description = "The device. Default: a known device path, else an emulated device started for the run.")
    Path device;

    @Option(names = "--memory", paramLabel = "MODE", converter = MemoryOption.class,
            description = "For an emulated device started for the run: " + MemoryOption.DESCRIPTION)
    MemoryMode memory = MemoryMode.fromSystemProperty();

    @ArgGroup(exclusive = true)
    Source source = new Source();

    static final class Source {
        @Option(names = "--file", paramLabel = "FILE", description = "Send this file.")
        Path file;

        @Option(names = "--mib", paramLabel = "N", description = "Send N MiB of random data (default: 32).")
        Long mib;
    }

    @Option(names = "--region-size", paramLabel = "BYTES",
            description = "The size of each of the two DMA regions that take turns; larger inputs go in several "
                    + "chunks (default: 32 MiB, GOLDFISH_DMA_BUFFER_SIZE).")
    long regionSize = DriverRules.DMA_BUFFER_SIZE;

    @Option(names = "--service", defaultValue = DmaServiceProtocol.SERVICE_NAME, paramLabel = "NAME",
            description = "The host checksum service (default: ${DEFAULT-VALUE}, the emulated device's).")
    String service;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--passes", defaultValue = "3", paramLabel = "N",
            description = "Send the input N times, each pass verified, with a pass of the baseline before each; "
                    + "the figures are the best pass of each, so that a busy machine disturbs them less "
                    + "(default: ${DEFAULT-VALUE}).")
    int passes;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        DriverRules.checkRegionSize(regionSize);
        long mib = source.mib == null ? 32 : source.mib;
        if (source.file == null && (mib <= 0 || mib > (Long.MAX_VALUE >> 20))) {
            throw new IllegalArgumentException("--mib must be positive: " + mib);
        }
        if (passes <= 0) {
            throw new IllegalArgumentException("--passes must be positive: " + passes);
        }
        try (TransferInput input = source.file != null ? new TransferInput.FromFile(source.file)
                : new TransferInput.Random(mib << 20, seed);
             CommandDevice chosen = CommandDevice.choose(device, memory, out)) {
            long total = input.length();
            long size = DriverRules.regionSizeFor(Math.max(1, Math.min(regionSize, total)));
            long chunks = Math.max(1, (total + size - 1) / size);
            long setupStart = System.nanoTime();
            try (TransferPipeline pipeline = TransferPipeline.open(chosen.path(), service, size,
                    (int) Math.min(chunks, Integer.MAX_VALUE))) {
                long setupNanos = System.nanoTime() - setupStart;
                long baselineNanos = Long.MAX_VALUE;
                TransferPipeline.Result best = null;
                for (int pass = 0; pass < passes; pass++) {
                    // The ceiling, in the same run: the same input into memory, no device (for a file, the first
                    // pass also brings it into the page cache).
                    baselineNanos = Math.min(baselineNanos, TransferBaseline.nanos(input, size));
                    Progress progress = Progress.forTerminal(out, total);
                    TransferPipeline.Result result = pipeline.run(input, progress);
                    progress.finish();
                    if (result.mismatch() != null) {
                        TransferPipeline.Mismatch m = result.mismatch();
                        spec.commandLine().getErr().printf("transfer: pass %d, chunk %d (bytes %d to %d): %s%n",
                                pass + 1, m.chunk(), m.offset(), m.offset() + m.length(), m.detail());
                        return ExitCodes.FAILURE;
                    }
                    if (best == null || result.nanos() < best.nanos()) {
                        best = result;
                    }
                }
                report(out, total, best, pipeline, size, baselineNanos, setupNanos, chosen);
                return ExitCodes.OK;
            }
        }
    }

    private void report(PrintWriter out, long total, TransferPipeline.Result result, TransferPipeline pipeline,
                        long size, long baselineNanos, long setupNanos, CommandDevice chosen) {
        String regions = pipeline.regions() == 1 ? "a " + Units.bytes(size) + " region"
                : pipeline.regions() + " regions of " + Units.bytes(size) + " in turn";
        out.printf("transferred %s in %d chunk(s) through %s, the first at 0x%x%s%n", Units.bytes(total),
                result.chunks(), regions, pipeline.firstPhysicalAddress(),
                passes == 1 ? "" : ", " + passes + " times");
        out.printf("memory      %s%n", chosen.memory());
        out.printf("verified    every chunk's CRC32C as read by the host matches the guest's%n");
        out.printf(Locale.ROOT, "throughput  end to end with host verification %s; baseline, %s into memory "
                        + "with no device, %s; ratio %.2f%s%n", Units.rate(total, result.nanos()),
                source.file != null ? "read(2) of the same file" : "the same random bytes",
                Units.rate(total, baselineNanos), (double) baselineNanos / Math.max(1, result.nanos()),
                passes == 1 ? "" : " (best of " + passes + " passes each)");
        out.printf(Locale.ROOT, "setup       opening, creating and prefaulting the regions: %.1f ms (not in the "
                + "figures above)%n", setupNanos / 1e6);
        chosen.emulatorPid().ifPresent(pid -> out.printf("emulator    peak resident memory (VmHWM) of process %d: "
                + "%s%n", pid, PeakMemory.of(pid)));
    }
}
