package dev.goldfishdma.transfer;

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
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;

/**
 * The transfer itself: the input goes chunk by chunk into DMA regions, read straight into each region's
 * memory, and the host's checksum service checks every chunk where it lies. Two pipes, each with its region,
 * take turns, so that the host checks one chunk while the next is read into the other region (the service
 * serves each pipe on a thread of its own). Within a chunk, the host is asked about each part of
 * {@value #PART} bytes as soon as it is written, so that it reads that part while the processor's caches
 * still hold it; the guest checksums each piece as it lands, for the same reason, and compares every answer
 * with its own before reusing the region.
 */
public final class TransferPipeline implements AutoCloseable {
    /** What is read, and checksummed, at a time within a chunk: small enough to stay in the cache. */
    public static final long PIECE = 256 * 1024;
    /** What the host is asked to check at a time. */
    private static final long PART = 8 * 1024 * 1024;
    private static final int DEPTH = 2;

    /** A part of a chunk the host was asked about and has not answered yet. */
    private record Pending(long chunk, long offset, long length, long crc) {
    }

    /**
     * One pipe with its region, the command and answer memory it uses, and what it waits for: the parts
     * asked about, and the writes of their commands, which a thread of the pipeline's own makes.
     */
    private static final class Lane {
        final GoldfishPipe pipe;
        final DmaRegion region;
        final long phys;
        /** One command per part of the region, rewritten only once the host has answered it. */
        final MemorySegment commands;
        final MemorySegment answers;
        final ArrayDeque<Pending> pending = new ArrayDeque<>();
        /** Done once the last command sent on this lane is written (or its write failed). */
        CompletableFuture<Void> written = CompletableFuture.completedFuture(null);

        Lane(GoldfishPipe pipe, DmaRegion region, Arena arena) throws IOException {
            this.pipe = pipe;
            this.region = region;
            this.phys = region.physicalAddress();
            long parts = (region.size() + PART - 1) / PART;
            this.commands = arena.allocate(parts * DmaServiceProtocol.COMMAND_SIZE);
            this.answers = arena.allocate(parts * DmaServiceProtocol.ANSWER_SIZE);
        }

        /** Asks the host about {@code length} bytes at {@code offset} of the region, without waiting. */
        void send(long offset, long length, long chunk, long inputOffset, long crc, ExecutorService writer) {
            MemorySegment command = commands.asSlice(pending.size() * (long) DmaServiceProtocol.COMMAND_SIZE,
                    DmaServiceProtocol.COMMAND_SIZE);
            DmaServiceProtocol.encodeCrc(command, phys, offset, length);
            pending.add(new Pending(chunk, inputOffset, length, crc));
            written = written.thenRunAsync(() -> {
                try {
                    pipe.write(command);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, writer);
        }
    }

    /**
     * A part of a chunk the host did not check as the guest wrote it; every byte before it was checked.
     *
     * @param chunk  the chunk's index
     * @param offset the part's first byte in the input
     * @param length the part's length
     * @param detail what the host answered against what the guest computed
     */
    public record Mismatch(long chunk, long offset, long length, String detail) {
    }

    /**
     * What the transfer did.
     *
     * @param bytes    how many bytes went through the regions (all of them checked, without a mismatch)
     * @param chunks   how many chunks went through the regions
     * @param nanos    from the first byte read to the last answer checked
     * @param mismatch the first part that failed the check, or null
     */
    public record Result(long bytes, long chunks, long nanos, Mismatch mismatch) {
    }

    private final List<Lane> lanes = new ArrayList<>();
    // Shared: the command writer reads the commands, the pipeline's thread writes them.
    private final Arena arena = Arena.ofShared();
    /**
     * Writes the commands, in order, so that the pipeline's thread reads on while a write waits for the
     * device (a round trip to the host, on the emulated device); commands are 32 bytes, at most one per
     * part of each region is outstanding.
     */
    private final ExecutorService commandWriter = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "goldfish-dma transfer commands");
        thread.setDaemon(true);
        return thread;
    });
    private final long regionSize;

    private TransferPipeline(long regionSize) {
        this.regionSize = regionSize;
    }

    /**
     * Opens {@code lanes} pipes to {@code service} on {@code device}, each with a prefaulted region of
     * {@code regionSize} bytes.
     */
    public static TransferPipeline open(Path device, String service, long regionSize, int lanes) throws IOException {
        TransferPipeline pipeline = new TransferPipeline(regionSize);
        try {
            for (int i = 0; i < Math.min(DEPTH, lanes); i++) {
                GoldfishPipe pipe = GoldfishPipe.open(device, service);
                DmaRegion region;
                try {
                    region = pipe.createRegion(regionSize, RegionOption.PREFAULT);
                } catch (IOException | RuntimeException e) {
                    pipe.close();
                    throw e;
                }
                pipeline.lanes.add(new Lane(pipe, region, pipeline.arena));
            }
            return pipeline;
        } catch (IOException | RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    /** How many regions take turns. */
    public int regions() {
        return lanes.size();
    }

    /** The physical address of the first region (for the report). */
    public long firstPhysicalAddress() {
        return lanes.getFirst().phys;
    }

    /**
     * Sends {@code input}, from where it stands to its end, and checks every chunk.
     *
     * @param head     the input's first bytes, already read from it (to size the regions), or null
     * @param progress told the count of bytes sent after each chunk
     */
    public Result run(TransferSource input, MemorySegment head, LongConsumer progress) throws IOException {
        long start = System.nanoTime();
        long headLeft = head == null ? 0 : head.byteSize();
        long sent = 0;
        long chunk = 0;
        boolean ended = false;
        CRC32C crc = new CRC32C();
        while (!ended) {
            Lane lane = lanes.get((int) (chunk % lanes.size()));
            Mismatch mismatch = collect(lane);
            if (mismatch != null) {
                return new Result(mismatch.offset(), chunk, System.nanoTime() - start, mismatch);
            }
            long length = 0;
            try (RegionLock held = lane.region.lock()) {
                MemorySegment memory = lane.region.segment();
                while (length < regionSize && !ended) {
                    long part = length;
                    long partEnd = Math.min(regionSize, length + PART);
                    crc.reset();
                    while (length < partEnd) {
                        MemorySegment piece = memory.asSlice(length, Math.min(PIECE, partEnd - length));
                        long got = 0;
                        if (headLeft > 0) {
                            got = Math.min(headLeft, piece.byteSize());
                            MemorySegment.copy(head, head.byteSize() - headLeft, piece, 0, got);
                            headLeft -= got;
                        }
                        if (got < piece.byteSize()) {
                            got += input.read(piece.asSlice(got), sent + length + got);
                        }
                        crc.update(piece.asSlice(0, got).asByteBuffer());
                        length += got;
                        if (got < piece.byteSize()) {
                            ended = true;
                            break;
                        }
                    }
                    if (length > part) {
                        lane.send(part, length - part, chunk, sent + part, crc.getValue(), commandWriter);
                    }
                }
            }
            if (length == 0) {
                break;
            }
            sent += length;
            chunk++;
            progress.accept(sent);
        }
        for (int i = 0; i < lanes.size(); i++) {
            // In the order the lanes were last used, so that the earlier chunk's mismatch is the one reported.
            Mismatch mismatch = collect(lanes.get((int) ((chunk + i) % lanes.size())));
            if (mismatch != null) {
                return new Result(mismatch.offset(), chunk, System.nanoTime() - start, mismatch);
            }
        }
        return new Result(sent, chunk, System.nanoTime() - start, null);
    }

    /**
     * Waits for the host's answers about every part pending on {@code lane}, read at once; the first that
     * differs, or null.
     */
    private static Mismatch collect(Lane lane) throws IOException {
        if (lane.pending.isEmpty()) {
            return null;
        }
        try {
            lane.written.join();
        } catch (CompletionException e) {
            lane.pending.clear();
            throw e.getCause() instanceof UncheckedIOException io ? io.getCause() : new IOException(e.getCause());
        }
        MemorySegment answers = lane.answers.asSlice(0, (long) lane.pending.size() * DmaServiceProtocol.ANSWER_SIZE);
        lane.pipe.readFully(answers);
        Mismatch first = null;
        for (long at = 0; !lane.pending.isEmpty(); at += DmaServiceProtocol.ANSWER_SIZE) {
            Pending pending = lane.pending.poll();
            MemorySegment answer = answers.asSlice(at, DmaServiceProtocol.ANSWER_SIZE);
            int status = DmaServiceProtocol.decodeStatus(answer);
            long actual = DmaServiceProtocol.decodeCrc(answer);
            if (first == null && (status != 0 || actual != pending.crc())) {
                first = new Mismatch(pending.chunk(), pending.offset(), pending.length(),
                        (status != 0 ? "host answered status " + status : String.format("host CRC32C %08x", actual))
                                + String.format(", guest CRC32C %08x", pending.crc()));
            }
        }
        return first;
    }

    @Override
    public void close() {
        commandWriter.shutdown();
        try {
            commandWriter.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Lane lane : lanes) {
            lane.region.close();
            try {
                lane.pipe.close();
            } catch (IOException e) {
                // closing a pipe the transfer is done with: nothing to report
            }
        }
        arena.close();
    }
}
