package dev.goldfishdma.bench;

import com.sun.jna.Pointer;
import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.RegionLock;
import dev.goldfishdma.emulator.AvailableDevice;
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
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Moving the whole 32 MiB region, in chunks of {@link #chunk} bytes, through the library's API and through
 * the baselines, all on the same mapping of the same device region. One operation moves 32 MiB whatever the
 * chunk size, so every score is comparable: throughput in bytes/s is ops/s times 32 MiB. Sources are
 * 32 MiB too, so no size fits in a cache and every copy is the memory traffic an upload really costs.
 *
 * <p>Opening the device, creating the region and the first touch of its pages are setup, outside the
 * timed part; {@link ColdStartBenchmark} measures them.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// Ten seconds of warm-up: with 32 MiB chunks the benchmark method runs about 800 times a second and its loop
// once, so C2 compiles it only after some 6 s (Tier4InvocationThreshold, 5000 calls); with 3 s the first
// measured iterations still ran C1 code, which allocates the objects C2 scalar-replaces.
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class TransferBenchmark {
    private static final int SIZE = DeviceRegion.SIZE;

    @Param({"4096", "65536", "262144", "1048576", "4194304", "33554432"})
    public int chunk;

    private AvailableDevice device;
    private DeviceRegion opened;
    private DmaRegion region;
    private MemorySegment mapping;
    private final Arena arena = Arena.ofShared();
    private byte[] heap;
    private MemorySegment offHeap;
    private ByteBuffer heapBuffer;
    private ByteBuffer mappingBuffer;
    private Pointer jnaMapping;
    private long mappingAddress;
    private long offHeapAddress;

    @Setup(Level.Trial)
    public void open() throws IOException {
        if (SIZE % chunk != 0) {
            throw new IllegalArgumentException("chunk " + chunk + " does not divide the region size " + SIZE);
        }
        device = AvailableDevice.choose();
        opened = DeviceRegion.open(device.path(), SIZE);
        opened.touchEveryPage();
        region = opened.region();
        mapping = region.segment();
        region.physicalAddress();

        heap = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            heap[i] = (byte) (i * 31 + 7);
        }
        offHeap = arena.allocate(SIZE, 4096);
        MemorySegment.copy(heap, 0, offHeap, JAVA_BYTE, 0, SIZE);
        heapBuffer = ByteBuffer.wrap(heap);
        // Made once: asByteBuffer() makes a new buffer object per call, which a caller would keep too.
        mappingBuffer = mapping.asByteBuffer();
        mappingAddress = mapping.address();
        offHeapAddress = offHeap.address();
        jnaMapping = new Pointer(mappingAddress);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        // Every benchmark here leaves the region and the heap source equal (writes copy the heap's pattern, or
        // the same pattern off-heap, into the region; reads copy the region into the heap), which they were not
        // before: one that copied nothing, or short, fails here.
        if (mapping.get(JAVA_BYTE, SIZE - 1) != heap[SIZE - 1]) {
            throw new IllegalStateException("the last byte of the region was not transferred");
        }
        opened.close();
        device.close();
        arena.close();
    }

    // ---- through the library ------------------------------------------------------------------------------

    @Benchmark
    public void apiWriteHeap(ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            region.write(o, heap, o, chunk);
        }
        alloc.count(SIZE / chunk);
    }

    @Benchmark
    public void apiWriteSegment(ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            region.write(o, offHeap.asSlice(o, chunk));
        }
        alloc.count(SIZE / chunk);
    }

    @Benchmark
    public void apiWriteByteBuffer(ThreadAllocation alloc) {
        ByteBuffer src = heapBuffer;
        for (int o = 0; o < SIZE; o += chunk) {
            src.limit(o + chunk);
            src.position(o);
            region.write(o, src);
        }
        alloc.count(SIZE / chunk);
    }

    @Benchmark
    public void apiReadHeap(ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            region.read(o, heap, o, chunk);
        }
        alloc.count(SIZE / chunk);
    }

    /**
     * What a guest driver does per upload (AOSP {@code HostConnection::lockAndWriteDma}): lock, copy, unlock,
     * and hand the host the physical address.
     */
    @Benchmark
    public long apiUploadCycle(ThreadAllocation alloc) throws IOException {
        long addresses = 0;
        for (int o = 0; o < SIZE; o += chunk) {
            try (RegionLock held = region.lock()) {
                region.write(o, heap, o, chunk);
                addresses += region.physicalAddress() + o;
            }
        }
        alloc.count(SIZE / chunk);
        return addresses;
    }

    // ---- baselines on the same mapping ----------------------------------------------------------------

    @Benchmark
    public void baseSegmentCopyHeap() {
        for (int o = 0; o < SIZE; o += chunk) {
            MemorySegment.copy(heap, o, mapping, JAVA_BYTE, o, chunk);
        }
    }

    @Benchmark
    public void baseSegmentCopyOffHeap() {
        for (int o = 0; o < SIZE; o += chunk) {
            MemorySegment.copy(offHeap, o, mapping, o, chunk);
        }
    }

    @Benchmark
    public void baseMemcpy() throws Throwable {
        for (int o = 0; o < SIZE; o += chunk) {
            BareDowncalls.MEMCPY.invokeExact(mappingAddress + o, offHeapAddress + o, (long) chunk);
        }
    }

    @Benchmark
    public void baseByteBufferPut() {
        for (int o = 0; o < SIZE; o += chunk) {
            mappingBuffer.put(o, heap, o, chunk);
        }
    }

    @Benchmark
    public void baseJnaWrite() {
        for (int o = 0; o < SIZE; o += chunk) {
            jnaMapping.write(o, heap, o, chunk);
        }
    }
}
