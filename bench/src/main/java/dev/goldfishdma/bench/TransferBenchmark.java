package dev.goldfishdma.bench;

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
 * Moving the whole 32 MiB region, in chunks of {@link #chunk} bytes, through every copy form of the library's
 * API and through the two primitives a caller could use instead, all on the same mapping of the same device
 * region. One operation moves 32 MiB whatever the chunk size, so every score is comparable: throughput in
 * bytes/s is ops/s times 32 MiB. Sources and destinations are 32 MiB too, so no size fits in a cache and
 * every copy is the memory traffic an upload really costs.
 *
 * <p>Each API form is set against the baselines with the same direction and the same kind of memory on the
 * caller's side (heap or native): the JDK's {@code MemorySegment.copy} and glibc's {@code memcpy} as a
 * critical downcall ({@link BareDowncalls}). The report holds each form to 0.95x the faster of the two.
 *
 * <p>Opening the device, creating the region and the first touch of its pages are setup, outside the
 * timed part; {@link ColdStartBenchmark} measures them.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// Eight seconds of warm-up: with 32 MiB chunks the benchmark method runs about 800 times a second and its loop
// once, so C2 compiles it only after some 6 s (Tier4InvocationThreshold, 5000 calls); before that, C1 code
// allocates the objects C2 scalar-replaces. Three forks of three iterations rather than one of five: a whole
// fork's score moves by up to 15% from one JVM to the next on this 2-core VM (the same copy ran at 683, 765
// and 778 ops/s in three forks), more than the gaps between the forms compared, so a single fork ranked
// them by that variation. 18 benchmarks times 6 chunk sizes times 3 forks
// take about 70 minutes.
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 3, time = 1)
@Fork(value = 3, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
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
    private MemorySegment heapSegment;
    private MemorySegment offHeap;
    private ByteBuffer heapBuffer;
    private ByteBuffer directBuffer;
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
            heap[i] = pattern(i);
        }
        heapSegment = MemorySegment.ofArray(heap);
        offHeap = arena.allocate(SIZE, 4096);
        MemorySegment.copy(heap, 0, offHeap, JAVA_BYTE, 0, SIZE);
        for (int i = 0; i < SIZE; i++) {
            mapping.set(JAVA_BYTE, i, (byte) ~pattern(i));
        }
        heapBuffer = ByteBuffer.wrap(heap);
        directBuffer = offHeap.asByteBuffer();
        mappingAddress = mapping.address();
        offHeapAddress = offHeap.address();
    }

    private static byte pattern(int i) {
        return (byte) (i * 31 + 7);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        // The region starts as the complement of the sources' pattern. A write leaves it equal to the sources; a
        // read leaves exactly one of the two destinations (heap, off-heap) equal to it. A benchmark that copied
        // nothing, or short, leaves neither and fails here.
        int last = SIZE - 1;
        byte inRegion = mapping.get(JAVA_BYTE, last);
        boolean written = inRegion == pattern(last) && heap[last] == inRegion && offHeap.get(JAVA_BYTE, last) == inRegion;
        boolean read = inRegion == (byte) ~pattern(last)
                && (heap[last] == inRegion) != (offHeap.get(JAVA_BYTE, last) == inRegion);
        if (!written && !read) {
            throw new IllegalStateException("the last byte of the region was not transferred");
        }
        opened.close();
        device.close();
        arena.close();
    }

    // ---- writes through the library ------------------------------------------------------------------------

    @Benchmark
    public void apiWriteHeap(ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            region.write(o, heap, o, chunk);
        }
        alloc.count(SIZE / chunk);
    }

    @Benchmark
    public void apiWriteHeapBuffer(ThreadAllocation alloc) {
        ByteBuffer src = heapBuffer;
        for (int o = 0; o < SIZE; o += chunk) {
            src.limit(o + chunk).position(o);
            region.write(o, src);
        }
        alloc.count(SIZE / chunk);
    }

    @Benchmark
    public void apiWriteSegment(ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            region.write(o, offHeap, o, chunk);
        }
        alloc.count(SIZE / chunk);
    }

    // 14 s of warm-up, not 8: the direct-buffer forms wrap the buffer in a segment per call
    // (MemorySegment.ofBuffer), which only C2's escape analysis removes, and with 32 MiB chunks (one call per
    // operation, about 500 a second on the passthrough device) C2 compiled the caller only in the first
    // measured iterations of an 8 s warm-up: 17 to 28 KB allocated in each of those, none after.
    @Benchmark
    @Warmup(iterations = 7, time = 2)
    public void apiWriteDirectBuffer(ThreadAllocation alloc) {
        ByteBuffer src = directBuffer;
        for (int o = 0; o < SIZE; o += chunk) {
            src.limit(o + chunk).position(o);
            region.write(o, src);
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

    // ---- reads through the library -------------------------------------------------------------------------

    @Benchmark
    public void apiReadHeap(ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            region.read(o, heap, o, chunk);
        }
        alloc.count(SIZE / chunk);
    }

    @Benchmark
    public void apiReadHeapBuffer(ThreadAllocation alloc) {
        ByteBuffer dst = heapBuffer;
        for (int o = 0; o < SIZE; o += chunk) {
            dst.limit(o + chunk).position(o);
            region.read(o, dst);
        }
        alloc.count(SIZE / chunk);
    }

    @Benchmark
    public void apiReadSegment(ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            region.read(o, offHeap, o, chunk);
        }
        alloc.count(SIZE / chunk);
    }

    @Benchmark
    @Warmup(iterations = 7, time = 2) // as apiWriteDirectBuffer
    public void apiReadDirectBuffer(ThreadAllocation alloc) {
        ByteBuffer dst = directBuffer;
        for (int o = 0; o < SIZE; o += chunk) {
            dst.limit(o + chunk).position(o);
            region.read(o, dst);
        }
        alloc.count(SIZE / chunk);
    }

    // ---- baselines on the same mapping: writes -------------------------------------------------------------

    @Benchmark
    public void baseWriteSegmentCopyHeap() {
        for (int o = 0; o < SIZE; o += chunk) {
            MemorySegment.copy(heap, o, mapping, JAVA_BYTE, o, chunk);
        }
    }

    @Benchmark
    public void baseWriteMemcpyHeap() throws Throwable {
        for (int o = 0; o < SIZE; o += chunk) {
            BareDowncalls.MEMCPY_HEAP.invokeExact(mapping.asSlice(o, chunk), heapSegment.asSlice(o, chunk), (long) chunk);
        }
    }

    @Benchmark
    public void baseWriteSegmentCopyOffHeap() {
        for (int o = 0; o < SIZE; o += chunk) {
            MemorySegment.copy(offHeap, o, mapping, o, chunk);
        }
    }

    @Benchmark
    public void baseWriteMemcpyOffHeap() throws Throwable {
        for (int o = 0; o < SIZE; o += chunk) {
            BareDowncalls.MEMCPY.invokeExact(mappingAddress + o, offHeapAddress + o, (long) chunk);
        }
    }

    // ---- baselines on the same mapping: reads --------------------------------------------------------------

    @Benchmark
    public void baseReadSegmentCopyHeap() {
        for (int o = 0; o < SIZE; o += chunk) {
            MemorySegment.copy(mapping, JAVA_BYTE, o, heap, o, chunk);
        }
    }

    @Benchmark
    public void baseReadMemcpyHeap() throws Throwable {
        for (int o = 0; o < SIZE; o += chunk) {
            BareDowncalls.MEMCPY_HEAP.invokeExact(heapSegment.asSlice(o, chunk), mapping.asSlice(o, chunk), (long) chunk);
        }
    }

    @Benchmark
    public void baseReadSegmentCopyOffHeap() {
        for (int o = 0; o < SIZE; o += chunk) {
            MemorySegment.copy(mapping, o, offHeap, o, chunk);
        }
    }

    @Benchmark
    public void baseReadMemcpyOffHeap() throws Throwable {
        for (int o = 0; o < SIZE; o += chunk) {
            BareDowncalls.MEMCPY.invokeExact(offHeapAddress + o, mappingAddress + o, (long) chunk);
        }
    }
}
