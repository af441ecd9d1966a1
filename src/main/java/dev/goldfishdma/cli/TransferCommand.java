package dev.goldfishdma.cli;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.emulator.MemoryMode;
import dev.goldfishdma.service.DmaServiceProtocol;
import dev.goldfishdma.transfer.TransferPipeline;
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
 * Moves data through DMA regions to the host's checksum service and checks, chunk by chunk, that the host
 * read exactly what was written: the guest's own CRC32C against the host's ({@link TransferPipeline}). The
 * input is streamed, so it may be of any length and need not say its length in advance; the count reported
 * is what was moved and verified. For an input that can be read again (random data, a regular file), the
 * report sets the throughput against a baseline measured in the same run, the same input read into memory
 * with no device ({@link TransferBaseline}); it gives the device's memory mode, and the emulator's peak
 * memory when the tool started the emulated device.
 */
@Command(name = "transfer", mixinStandardHelpOptions = true,
        description = {"Send a file, standard input, or random data through DMA regions to the host's checksum "
                + "service, verify each chunk's CRC32C and print the throughput, against reading the same input "
                + "into memory with no device.",
                "Sizes are bytes (4096) or whole KiB, MiB or GiB (64KiB, 32MiB, 1GiB)."})
final class TransferCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    GoldfishDmaCli tool;

    @Option(names = "--device", paramLabel = "PATH",
            description = "The device. Default: a known device path, else an emulated device started for the run.")
    Path device;

    @Option(names = "--memory", paramLabel = "MODE", converter = MemoryOption.class,
            description = MemoryOption.DESCRIPTION + " Only for an emulated device started for the run.")
    MemoryMode memory = MemoryMode.fromSystemProperty();

    @Option(names = "--file", paramLabel = "FILE",
            description = "Send this: a file, - for standard input, a pipe or FIFO (to its end), or a character "
                    + "device (with --size). Default: random data.")
    String file;

    @Option(names = "--size", paramLabel = "SIZE", converter = ByteSizes.class,
            description = "How much to send: of random data (default: 32MiB), or the first SIZE bytes of --file "
                    + "(default: all of it; needed for a device).")
    Long size;

    @Option(names = "--region-size", paramLabel = "SIZE", converter = ByteSizes.class,
            description = "The size of each of the two DMA regions that take turns; larger inputs go in several "
                    + "chunks (default: 32MiB, GOLDFISH_DMA_BUFFER_SIZE).")
    long regionSize = DriverRules.DMA_BUFFER_SIZE;

    @Option(names = "--service", defaultValue = DmaServiceProtocol.SERVICE_NAME, paramLabel = "NAME",
            description = "The host checksum service (default: ${DEFAULT-VALUE}, the emulated device's).")
    String service;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--passes", paramLabel = "N",
            description = "Send an input that can be read again (random data, a regular file) N times, each pass "
                    + "verified and preceded by a pass of the baseline; the figures are the best pass of each, so "
                    + "that a busy machine disturbs them less (default: 3; 1 for any other input).")
    Integer passes;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // Every argument is checked, and the input opened, before a device is chosen or an emulator started.
        DriverRules.checkRegionSize(regionSize);
        DriverRules.checkServiceName(service);
        if (passes != null && passes < 1) {
            throw new IllegalArgumentException("--passes must be at least 1: " + passes);
        }
        try (TransferInput input = file == null ? TransferInput.random(size == null ? DriverRules.DMA_BUFFER_SIZE : size,
                seed) : TransferInput.open(file, size, System.in)) {
            if (passes != null && passes > 1 && !input.rewindable()) {
                throw new IllegalArgumentException("--passes " + passes + ": " + input.name() + " cannot be read "
                        + "again; give a regular file or random data");
            }
            int passCount = input.rewindable() ? (passes == null ? 3 : passes) : 1;
            try (CommandDevice chosen = CommandDevice.choose(device, memory, out);
                 Arena arena = Arena.ofConfined()) {
                return transfer(chosen, input, passCount, arena, out);
            }
        }
    }

    private int transfer(CommandDevice chosen, TransferInput input, int passCount, Arena arena, PrintWriter out)
            throws IOException {
        // The regions are sized for the input: from its known size, or from a first chunk read before they are
        // made, so that a short stream gets small regions.
        long known = input.knownSize();
        MemorySegment head = null;
        long first;
        if (known >= 0) {
            first = Math.min(regionSize, known);
        } else {
            head = arena.allocate(regionSize, 4096);
            first = input.read(head, 0);
            head = head.asSlice(0, first);
        }
        if (first == 0) {
            out.printf("transferred 0 bytes: %s was empty%n", input.name());
            return ExitCode.OK.code();
        }
        long regionBytes = DriverRules.regionSizeFor(first);
        long setupStart = System.nanoTime();
        // Two regions take turns, unless one holds all of the input.
        boolean oneChunk = known >= 0 ? known <= regionBytes : first < regionSize;
        try (TransferPipeline pipeline = TransferPipeline.open(chosen.path(), service, regionBytes, oneChunk ? 1 : 2)) {
            long setupNanos = System.nanoTime() - setupStart;
            Progress progress = Progress.on(out, tool != null && tool.terminal());
            long baselineNanos = Long.MAX_VALUE;
            TransferPipeline.Result best = null;
            for (int pass = 0; pass < passCount; pass++) {
                if (input.rewindable()) {
                    // The ceiling, in the same run: the same input into memory, no device (for a file, the
                    // first pass also brings it into the page cache).
                    baselineNanos = Math.min(baselineNanos, TransferBaseline.nanos(input, regionBytes));
                }
                String passName = passCount == 1 ? "transfer" : "transfer, pass " + (pass + 1) + " of " + passCount;
                TransferPipeline.Result result = pipeline.run(input, head, sent -> {
                    if (known > 0) {
                        progress.show(passName + ": " + Units.bytes(sent) + " of " + Units.bytes(known),
                                (double) sent / known, false);
                    } else {
                        progress.show(passName + ": " + Units.bytes(sent) + " moved and verified");
                    }
                });
                progress.clear();
                if (result.mismatch() != null) {
                    TransferPipeline.Mismatch m = result.mismatch();
                    spec.commandLine().getErr().printf("transfer: chunk %d (bytes %d to %d of %s): %s; %d bytes "
                                    + "were moved and verified before it%n", m.chunk(), m.offset(),
                            m.offset() + m.length(), input.name(), m.detail(), m.offset());
                    return ExitCode.FAILURE.code();
                }
                if (input.hasLimit() && result.bytes() < known) {
                    spec.commandLine().getErr().printf("transfer: %s ended after %d of the %d bytes asked (--size); "
                            + "those %d bytes were moved and verified%n", input.name(), result.bytes(), known,
                            result.bytes());
                    return ExitCode.FAILURE.code();
                }
                if (best == null || result.nanos() < best.nanos()) {
                    best = result;
                }
            }
            report(out, input, passCount, best, pipeline, regionBytes, baselineNanos, setupNanos, chosen);
            return ExitCode.OK.code();
        }
    }

    private static void report(PrintWriter out, TransferInput input, int passCount, TransferPipeline.Result result,
                               TransferPipeline pipeline, long regionBytes, long baselineNanos, long setupNanos,
                               CommandDevice chosen) {
        long sent = result.bytes();
        String readable = Units.bytes(sent);
        String regions = pipeline.regions() == 1 ? "a " + Units.bytes(regionBytes) + " region at"
                : pipeline.regions() + " regions of " + Units.bytes(regionBytes) + " in turn, the first at";
        out.printf("transferred %d bytes%s from %s in %d chunk(s) through %s 0x%x%s%n", sent,
                readable.endsWith(" bytes") ? "" : " (" + readable + ")", input.name(), result.chunks(), regions,
                pipeline.firstPhysicalAddress(), passCount == 1 ? "" : ", " + passCount + " times");
        out.printf("memory      %s%n", chosen.memory());
        out.printf("verified    every chunk's CRC32C as read by the host matches the guest's%n");
        if (baselineNanos == Long.MAX_VALUE) {
            out.printf("throughput  end to end with host verification %s (no baseline: %s cannot be read again)%n",
                    Units.rate(sent, result.nanos()), input.name());
        } else {
            out.printf(Locale.ROOT, "throughput  end to end with host verification %s; baseline, %s into memory "
                            + "with no device, %s; ratio %.2f%s%n", Units.rate(sent, result.nanos()),
                    input.name().equals("random data") ? "the same random data" : "read(2) of the same file",
                    Units.rate(sent, baselineNanos), (double) baselineNanos / Math.max(1, result.nanos()),
                    passCount == 1 ? "" : " (best of " + passCount + " passes each)");
        }
        out.printf(Locale.ROOT, "setup       opening, creating and prefaulting the regions: %.1f ms (not in the "
                + "figures above)%n", setupNanos / 1e6);
        chosen.emulatorPid().ifPresent(pid -> out.printf("emulator    peak resident memory (VmHWM) of process %d: "
                + "%s%n", pid, PeakMemory.of(pid)));
    }
}
