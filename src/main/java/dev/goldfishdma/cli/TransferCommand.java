package dev.goldfishdma.cli;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.device.RegionLock;
import dev.goldfishdma.device.RegionOption;
import dev.goldfishdma.service.DmaServiceProtocol;
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
import java.util.concurrent.Callable;
import java.util.zip.CRC32C;

/**
 * Moves data through a DMA region to the host's checksum service and checks, chunk by chunk, that the host
 * read exactly what was written: the guest's own CRC32C against the host's. The input is streamed, so it
 * may be of any length and need not say its length in advance; the count reported is what was moved and
 * verified.
 */
@Command(name = "transfer", mixinStandardHelpOptions = true,
        description = {"Send a file, standard input, or random data through a DMA region to the host's checksum "
                + "service, verify each chunk's CRC32C and print the throughput.",
                "Sizes are bytes (4096) or whole KiB, MiB or GiB (64KiB, 32MiB, 1GiB)."})
final class TransferCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    GoldfishDmaCli tool;

    @Option(names = "--device", paramLabel = "PATH",
            description = "The device. Default: a known device path, else an emulated device started for the run.")
    Path device;

    @Option(names = "--file", paramLabel = "FILE",
            description = "Send this: a file, - for standard input, a pipe or FIFO (to its end), or a character "
                    + "device (with --size). Default: random data.")
    String file;

    @Option(names = "--size", paramLabel = "SIZE", converter = ByteSizes.class,
            description = "How much to send: of random data (default: 32MiB), or the first SIZE bytes of --file "
                    + "(default: all of it; needed for a device).")
    Long size;

    @Option(names = "--region-size", paramLabel = "SIZE", converter = ByteSizes.class,
            description = "The DMA region's size; larger inputs go in several chunks (default: 32MiB, "
                    + "GOLDFISH_DMA_BUFFER_SIZE).")
    long regionSize = DriverRules.DMA_BUFFER_SIZE;

    @Option(names = "--service", defaultValue = DmaServiceProtocol.SERVICE_NAME, paramLabel = "NAME",
            description = "The host checksum service (default: ${DEFAULT-VALUE}, the emulated device's).")
    String service;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // Every argument is checked, and the input opened, before a device is chosen or an emulator started.
        DriverRules.checkRegionSize(regionSize);
        DriverRules.checkServiceName(service);
        try (TransferInput input = file == null ? TransferInput.random(size == null ? DriverRules.DMA_BUFFER_SIZE : size,
                seed) : TransferInput.open(file, size, System.in);
             CommandDevice chosen = CommandDevice.choose(device, out);
             GoldfishPipe pipe = GoldfishPipe.open(chosen.path(), service);
             Arena arena = Arena.ofConfined()) {
            return transfer(pipe, input, arena, out);
        }
    }

    private int transfer(GoldfishPipe pipe, TransferInput input, Arena arena, PrintWriter out) throws IOException {
        long known = input.knownSize();
        byte[] chunk = new byte[(int) Math.min(regionSize, known > 0 ? known : regionSize)];
        // The first chunk is read before the region is made, so that a short stream gets a small region.
        int length = input.read(chunk, 0);
        if (length == 0) {
            return finish(input, out, 0, 0, null, 0, 0, 0, 0);
        }
        try (DmaRegion region = pipe.createRegion(DriverRules.regionSizeFor(length), RegionOption.PREFAULT)) {
            // The first write to each page faults (on the emulated device, through FUSE): a one-time cost of a
            // new region, reported apart from the throughput, as the benchmarks do.
            long touchStart = System.nanoTime();
            region.segment().fill((byte) 0);
            long touchNanos = System.nanoTime() - touchStart;
            long phys = region.physicalAddress();
            MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
            MemorySegment answer = arena.allocate(DmaServiceProtocol.ANSWER_SIZE);
            CRC32C crc = new CRC32C();
            Progress progress = Progress.on(out, tool != null && tool.terminal());
            long copyNanos = 0;
            long start = System.nanoTime();
            long sent = 0;
            int chunks = 0;
            while (length > 0) {
                crc.reset();
                crc.update(chunk, 0, length);
                long expected = crc.getValue();

                long t0 = System.nanoTime();
                try (RegionLock held = region.lock()) {
                    region.write(0, chunk, 0, length);
                }
                copyNanos += System.nanoTime() - t0;

                DmaServiceProtocol.encodeCrc(command, phys, 0, length);
                pipe.write(command);
                pipe.readFully(answer);
                int status = DmaServiceProtocol.decodeStatus(answer);
                long actual = DmaServiceProtocol.decodeCrc(answer);
                if (status != 0 || actual != expected) {
                    progress.clear();
                    spec.commandLine().getErr().printf("transfer: chunk %d (bytes %d to %d of %s): host %s, guest "
                                    + "CRC32C %08x; %d bytes were moved and verified before it%n", chunks, sent,
                            sent + length, input.name(), status != 0 ? "answered status " + status
                                    : String.format("CRC32C %08x", actual), expected, sent);
                    return ExitCode.FAILURE.code();
                }
                sent += length;
                chunks++;
                if (known > 0) {
                    progress.show("transfer: " + Units.bytes(sent) + " of " + Units.bytes(known), (double) sent / known,
                            false);
                } else {
                    progress.show("transfer: " + Units.bytes(sent) + " moved and verified");
                }
                // A short read is the end of the input (or of the --size asked).
                length = length < chunk.length ? 0 : input.read(chunk, sent);
            }
            long elapsed = System.nanoTime() - start;
            progress.clear();
            if (input.hasLimit() && sent < known) {
                spec.commandLine().getErr().printf("transfer: %s ended after %d of the %d bytes asked (--size); those "
                        + "%d bytes were moved and verified%n", input.name(), sent, known, sent);
                return ExitCode.FAILURE.code();
            }
            return finish(input, out, sent, chunks, region, phys, copyNanos, elapsed, touchNanos);
        }
    }

    private static int finish(TransferInput input, PrintWriter out, long sent, int chunks, DmaRegion region, long phys,
                              long copyNanos, long elapsed, long touchNanos) {
        if (region == null) {
            out.printf("transferred 0 bytes: %s was empty%n", input.name());
            return ExitCode.OK.code();
        }
        String readable = Units.bytes(sent);
        out.printf("transferred %d bytes%s from %s in %d chunk(s) through a %s region at 0x%x%n", sent,
                readable.endsWith(" bytes") ? "" : " (" + readable + ")", input.name(), chunks,
                Units.bytes(region.size()), phys);
        out.printf("verified    every chunk's CRC32C as read by the host matches the guest's%n");
        out.printf("throughput  copy into the region %s, end to end with host verification %s%n",
                Units.rate(sent, copyNanos), Units.rate(sent, elapsed));
        out.printf("setup       first touch of the region's %s: %.1f ms (not in the figures above)%n",
                Units.bytes(region.size()), touchNanos / 1e6);
        return ExitCode.OK.code();
    }
}
