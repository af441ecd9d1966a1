package dev.goldfishdma.bench;

import dev.goldfishdma.emulator.AvailableDevice;
import dev.goldfishdma.service.DmaServiceProtocol;
import dev.goldfishdma.transfer.TransferPipeline;
import dev.goldfishdma.transfer.TransferSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The main job, what {@code ./goldfish-dma transfer} does, through the tool's own {@link TransferPipeline}:
 * {@value #INPUT_MIB} MiB of input through two 32 MiB regions in turn to the host's checksum service, every
 * part verified, in
 * {@link #job}; and its ceiling in the same fork, {@link #ceiling}: the same input into memory with no device
 * and no checksum, in the same pieces, into a buffer of a region's size. Throughput in bytes/s is ops/s times
 * {@value #INPUT_MIB} MiB.
 *
 * <p>{@link #source}: {@code file}, a file already in the page cache, read with read(2) straight into the
 * regions (the ceiling: read(2) into memory, as {@code transfer}'s baseline); {@code memory}, the input in
 * native memory, copied into the regions' memory with {@code MemorySegment.copy} (the ceiling: the same copy
 * into memory).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class TransferJobBenchmark {
    static final int INPUT_MIB = 256;
    static final long INPUT = (long) INPUT_MIB << 20;

    @Param({"file", "memory"})
    public String source;

    private AvailableDevice device;
    private TransferPipeline pipeline;
    private final Arena arena = Arena.ofShared();
    private Path file;
    private FileChannel channel;
    private MemorySegment memory;
    private MemorySegment buffer;
    private TransferSource input;

    @Setup(Level.Trial)
    public void open() throws IOException {
        device = AvailableDevice.choose();
        pipeline = TransferPipeline.open(device.path(), DmaServiceProtocol.SERVICE_NAME, DeviceRegion.SIZE, 2);
        buffer = arena.allocate(DeviceRegion.SIZE, 4096);
        buffer.fill((byte) 0); // its pages exist before the clock starts, as the prefaulted regions' do
        MemorySegment random = arena.allocate(INPUT, 4096);
        SplittableRandom generator = new SplittableRandom(16);
        for (long at = 0; at < INPUT; at += Long.BYTES) {
            random.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, at, generator.nextLong());
        }
        switch (source) {
            case "file" -> {
                file = Files.createTempFile("goldfish-dma-job-", ".bin");
                try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ByteBuffer all = random.asByteBuffer();
                    while (all.hasRemaining()) {
                        out.write(all);
                    }
                    out.force(true);
                }
                channel = FileChannel.open(file, StandardOpenOption.READ);
                ceiling(); // the first read brings the file into the page cache, if writing left any page out
                input = (dst, done) -> readFully(dst);
            }
            case "memory" -> {
                memory = random;
                input = (dst, done) -> {
                    int length = (int) Math.min(dst.byteSize(), INPUT - done);
                    MemorySegment.copy(memory, done, dst, 0, length);
                    return length;
                };
            }
            default -> throw new IllegalArgumentException("source " + source + ": file or memory");
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        pipeline.close();
        device.close();
        if (channel != null) {
            channel.close();
            Files.delete(file);
        }
        arena.close();
    }

    /** The input through the regions, every part's CRC32C checked by the host against the guest's. */
    @Benchmark
    public long job() throws IOException {
        if (channel != null) {
            channel.position(0);
        }
        TransferPipeline.Result result = pipeline.run(input, null, sent -> { });
        if (result.mismatch() != null || result.bytes() != INPUT) {
            throw new IOException("the job sent " + result.bytes() + " of " + INPUT + " bytes: " + result.mismatch());
        }
        return result.bytes();
    }

    /** The same input into memory, in the same pieces, with no device: the most the job could reach. */
    @Benchmark
    public void ceiling() throws IOException {
        if (channel != null) {
            channel.position(0);
        }
        for (long at = 0; at < INPUT; at += TransferPipeline.PIECE) {
            MemorySegment piece = buffer.asSlice(at % DeviceRegion.SIZE, TransferPipeline.PIECE);
            if (channel != null) {
                if (readFully(piece) != TransferPipeline.PIECE) {
                    throw new IOException(file + " ended before " + INPUT + " bytes");
                }
            } else {
                MemorySegment.copy(memory, at, piece, 0, TransferPipeline.PIECE);
            }
        }
    }

    /** read(2) into {@code dst} until it is full or the file ends: straight into it, as it is native memory. */
    private int readFully(MemorySegment dst) throws IOException {
        ByteBuffer view = dst.asByteBuffer();
        while (view.hasRemaining() && channel.read(view) >= 0) {
            // read(2) may return less than asked
        }
        return view.position();
    }
}
