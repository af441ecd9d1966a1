package dev.goldfishdma.bench;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.device.RegionLock;
import dev.goldfishdma.device.RegionOption;
import dev.goldfishdma.service.DmaServiceProtocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The main job's path, as {@code ./goldfish-dma transfer} runs it, through the public device API and the
 * {@code dma} service's protocol alone (the tool's own pipeline is internal to it): two pipes to the host's
 * checksum service, each with a prefaulted region, take turns; the input goes into a region in pieces of
 * {@value #PIECE} bytes, each checksummed by the guest as it lands, and the host is asked for the CRC32C of
 * every {@value #PART} bytes as soon as they are written, on a thread of the pipeline's own (a write to the
 * device is a round trip to the host on the emulated device), and answers are checked before a region is
 * reused. The same pieces, parts and depth as the tool's, so that this measures what it does.
 */
final class JobPipeline implements AutoCloseable {
    static final long PIECE = 256 * 1024;
    static final long PART = 8 * 1024 * 1024;
    private static final int LANES = 2;

    /** What the job sends: it fills {@code length} bytes of a region from the input's byte {@code inputOffset}. */
    @FunctionalInterface
    interface Input {
        void fill(DmaRegion region, long regionOffset, long length, long inputOffset) throws IOException;
    }

    private record Pending(long offset, long crc) {
    }

    private static final class Lane {
        final GoldfishPipe pipe;
        final DmaRegion region;
        final long phys;
        final MemorySegment commands;
        final MemorySegment answers;
        final ArrayDeque<Pending> pending = new ArrayDeque<>();
        CompletableFuture<Void> written = CompletableFuture.completedFuture(null);

        Lane(GoldfishPipe pipe, DmaRegion region, Arena arena) throws IOException {
            this.pipe = pipe;
            this.region = region;
            this.phys = region.physicalAddress();
            long parts = (region.size() + PART - 1) / PART;
            this.commands = arena.allocate(parts * DmaServiceProtocol.COMMAND_SIZE);
            this.answers = arena.allocate(parts * DmaServiceProtocol.ANSWER_SIZE);
        }
    }

    private final List<Lane> lanes = new ArrayList<>();
    private final Arena arena = Arena.ofShared();
    private final ExecutorService commandWriter = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "job pipeline commands");
        thread.setDaemon(true);
        return thread;
    });
    private final long regionSize;

    JobPipeline(Path device, long regionSize) throws IOException {
        this.regionSize = regionSize;
        try {
            for (int i = 0; i < LANES; i++) {
                GoldfishPipe pipe = GoldfishPipe.open(device, DmaServiceProtocol.SERVICE_NAME);
                try {
                    lanes.add(new Lane(pipe, pipe.createRegion(regionSize, RegionOption.PREFAULT), arena));
                } catch (IOException | RuntimeException e) {
                    pipe.close();
                    throw e;
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Sends {@code size} bytes of {@code input} through the regions, every part checked by the host.
     *
     * @throws IOException if the host's checksum of a part differs from the guest's
     */
    void run(Input input, long size) throws IOException {
        CRC32C crc = new CRC32C();
        long chunk = 0;
        for (long sent = 0; sent < size; sent += regionSize, chunk++) {
            Lane lane = lanes.get((int) (chunk % LANES));
            collect(lane);
            long length = Math.min(regionSize, size - sent);
            try (RegionLock held = lane.region.lock()) {
                MemorySegment memory = lane.region.segment();
                for (long part = 0; part < length; part += PART) {
                    long partEnd = Math.min(length, part + PART);
                    crc.reset();
                    for (long at = part; at < partEnd; at += PIECE) {
                        long piece = Math.min(PIECE, partEnd - at);
                        input.fill(lane.region, at, piece, sent + at);
                        crc.update(memory.asSlice(at, piece).asByteBuffer());
                    }
                    send(lane, part, partEnd - part, sent + part, crc.getValue());
                }
            }
        }
        for (Lane lane : lanes) {
            collect(lane);
        }
    }

    private void send(Lane lane, long offset, long length, long inputOffset, long crc) {
        MemorySegment command = lane.commands.asSlice(lane.pending.size() * (long) DmaServiceProtocol.COMMAND_SIZE,
                DmaServiceProtocol.COMMAND_SIZE);
        DmaServiceProtocol.encodeCrc(command, lane.phys, offset, length);
        lane.pending.add(new Pending(inputOffset, crc));
        lane.written = lane.written.thenRunAsync(() -> {
            try {
                lane.pipe.write(command);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, commandWriter);
    }

    private static void collect(Lane lane) throws IOException {
        if (lane.pending.isEmpty()) {
            return;
        }
        try {
            lane.written.join();
        } catch (CompletionException e) {
            lane.pending.clear();
            throw e.getCause() instanceof UncheckedIOException io ? io.getCause() : new IOException(e.getCause());
        }
        MemorySegment answers = lane.answers.asSlice(0, (long) lane.pending.size() * DmaServiceProtocol.ANSWER_SIZE);
        lane.pipe.readFully(answers);
        for (long at = 0; !lane.pending.isEmpty(); at += DmaServiceProtocol.ANSWER_SIZE) {
            Pending pending = lane.pending.poll();
            MemorySegment answer = answers.asSlice(at, DmaServiceProtocol.ANSWER_SIZE);
            if (DmaServiceProtocol.decodeStatus(answer) != 0 || DmaServiceProtocol.decodeCrc(answer) != pending.crc()) {
                lane.pending.clear();
                throw new IOException("the host's CRC32C of the part at input offset " + pending.offset() + " is "
                        + Long.toHexString(DmaServiceProtocol.decodeCrc(answer)) + " (status "
                        + DmaServiceProtocol.decodeStatus(answer) + "), the guest's " + Long.toHexString(pending.crc()));
            }
        }
    }

    @Override
    public void close() throws IOException {
        commandWriter.shutdown();
        try {
            commandWriter.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Lane lane : lanes) {
            lane.region.close();
            lane.pipe.close();
        }
        arena.close();
    }
}
