package dev.goldfishdma.cli;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.device.RegionLock;
import dev.goldfishdma.device.RegionOption;
import dev.goldfishdma.service.DmaServiceProtocol;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.zip.CRC32C;

/**
 * Moves data through a DMA region to the host's checksum service and checks, chunk by chunk, that the host
 * read exactly what was written: the guest's own CRC32C against the host's.
 */
@Command(name = "transfer", mixinStandardHelpOptions = true,
        description = {"Send a file, or N MiB of random data, through a DMA region to the host's checksum service, "
                + "verify each chunk's CRC32C and print the throughput.",
                "Exit codes: 0 verified; 1 a checksum differed or a call failed; 3 no device; 4 not a goldfish pipe."})
final class TransferCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--device", paramLabel = "PATH",
            description = "The device. Default: a known device path, else an emulated device started for the run.")
    Path device;

    @ArgGroup(exclusive = true)
    Source source = new Source();

    static final class Source {
        @Option(names = "--file", paramLabel = "FILE", description = "Send this file.")
        Path file;

        @Option(names = "--mib", paramLabel = "N", description = "Send N MiB of random data (default: 32).")
        Long mib;
    }

    @Option(names = "--region-size", paramLabel = "BYTES",
            description = "The DMA region's size; larger inputs go in several chunks (default: 32 MiB, "
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
        DriverRules.checkRegionSize(regionSize);
        long total;
        if (source.file != null) {
            total = Files.size(source.file);
        } else {
            long mib = source.mib == null ? 32 : source.mib;
            if (mib <= 0 || mib > (Long.MAX_VALUE >> 20)) {
                throw new IllegalArgumentException("--mib must be positive: " + mib);
            }
            total = mib << 20;
        }
        try (CommandDevice chosen = CommandDevice.choose(device, out);
             GoldfishPipe pipe = GoldfishPipe.open(chosen.path(), service);
             DmaRegion region = pipe.createRegion(DriverRules.regionSizeFor(Math.max(1, Math.min(regionSize, total))),
                     RegionOption.PREFAULT);
             InputStream file = source.file == null ? null : Files.newInputStream(source.file);
             Arena arena = Arena.ofConfined()) {
            return transfer(pipe, region, file, total, arena, out);
        }
    }

    private int transfer(GoldfishPipe pipe, DmaRegion region, InputStream file, long total, Arena arena,
                         PrintWriter out) throws IOException {
        // The first write to each page faults (on the emulated device, through FUSE): a one-time cost of a
        // new region, reported apart from the throughput, as the benchmarks do.
        long touchStart = System.nanoTime();
        region.segment().fill((byte) 0);
        long touchNanos = System.nanoTime() - touchStart;
        long phys = region.physicalAddress();
        int chunkMax = (int) Math.min(region.size(), Integer.MAX_VALUE - 8);
        byte[] chunk = new byte[(int) Math.min(chunkMax, total)];
        MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
        MemorySegment answer = arena.allocate(DmaServiceProtocol.ANSWER_SIZE);
        SplittableRandom random = new SplittableRandom(seed);
        CRC32C crc = new CRC32C();
        Progress progress = Progress.forTerminal(out, total);
        long copyNanos = 0;
        long start = System.nanoTime();
        long sent = 0;
        int chunks = 0;
        while (sent < total) {
            int length = (int) Math.min(chunk.length, total - sent);
            if (file != null) {
                int read = file.readNBytes(chunk, 0, length);
                if (read != length) {
                    throw new IOException(source.file + " ended after " + (sent + read) + " of " + total + " bytes");
                }
            } else {
                random.nextBytes(chunk);
            }
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
                progress.finish();
                spec.commandLine().getErr().printf("transfer: chunk %d (bytes %d to %d): host %s, guest CRC32C %08x%n",
                        chunks, sent, sent + length, status != 0 ? "answered status " + status
                                : String.format("CRC32C %08x", actual), expected);
                return ExitCodes.FAILURE;
            }
            sent += length;
            chunks++;
            progress.update(sent);
        }
        long elapsed = System.nanoTime() - start;
        progress.finish();
        out.printf("transferred %s in %d chunk(s) through a %s region at 0x%x%n", Units.bytes(total), chunks,
                Units.bytes(region.size()), phys);
        out.printf("verified    every chunk's CRC32C as read by the host matches the guest's%n");
        out.printf("throughput  copy into the region %s, end to end with host verification %s%n",
                Units.rate(total, copyNanos), Units.rate(total, elapsed));
        out.printf("setup       first touch of the region's %s: %.1f ms (not in the figures above)%n",
                Units.bytes(region.size()), touchNanos / 1e6);
        return ExitCodes.OK;
    }
}
