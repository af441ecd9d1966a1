package dev.goldfishdma.bench;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.RegionLock;
import dev.goldfishdma.emulator.AvailableDevice;
import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
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
 * <p>One benchmark per direction and kind of memory on the caller's side ({@link #writeHeap},
 * {@link #writeNative}, {@link #readHeap}, {@link #readNative}); its {@code way} parameter chooses the API form
 * or one of the two baselines: the JDK's {@code MemorySegment.copy} ({@code segmentCopy}) and glibc's
 * {@code memcpy} as a critical downcall ({@code memcpy}, {@link BareDowncalls}); {@link #writeHeap} has a third,
 * {@code deviceCycle}, the floor of its upload cycle. The ways starting with {@code api} go through the library.
 * The report holds each copy form to 0.95x the faster of the two copy baselines of its benchmark at the same
 * chunk size.
 *
 * <p>Why a parameter rather than a method per way: JMH runs one benchmark method at every parameter value
 * before the next method, the first parameter ({@code chunk}) outermost. With a method per way, an API form
 * and its baselines ran 30 to 45 minutes apart, and this VM drifted in between (a form making its baseline's
 * very call measured 0.73x of it, and 0.93x when rerun beside it). Now, for each chunk size, the ways of one
 * benchmark run one after another, the API forms between {@code memcpy} and {@code segmentCopy}, within a
 * few minutes.
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
// them by that variation. 18 ways times 6 chunk sizes times 3 forks take about 85 minutes.
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 3, time = 1)
@Fork(value = 3, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class TransferBenchmark {
    private static final int SIZE = DeviceRegion.SIZE;
    private static final long LOCK = GoldfishDma.GOLDFISH_DMA_IOC_LOCK();
    private static final long UNLOCK = GoldfishDma.GOLDFISH_DMA_IOC_UNLOCK();

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
    private long physicalAddress;
    private int deviceFd = -1;
    private MemorySegment ioctlArg;
    private MemorySegment callState;

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
        physicalAddress = region.physicalAddress();
        deviceFd = Libc.open(device.path().toString(), OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        ioctlArg = arena.allocate(16, 8);
        callState = BareDowncalls.callState(arena);

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
        Libc.close(deviceFd);
        opened.close();
        device.close();
        arena.close();
    }

    // ---- the four benchmarks: which way is the parameter of each ------------------------------------------

    /** The ways of writing from a {@code byte[]} on the heap. */
    @State(Scope.Benchmark)
    public static class HeapWrites {
        /** The API's forms between the two baselines, so that drift during the run touches both alike. */
        @Param({"memcpy", "apiArray", "apiHeapBuffer", "apiUploadCycle", "deviceCycle", "segmentCopy"})
        public String way;
    }

    /** The ways of writing from native memory. */
    @State(Scope.Benchmark)
    public static class NativeWrites {
        @Param({"memcpy", "apiSegment", "apiDirectBuffer", "segmentCopy"})
        public String way;
    }

    /** The ways of reading into a {@code byte[]} on the heap. */
    @State(Scope.Benchmark)
    public static class HeapReads {
        @Param({"memcpy", "apiArray", "apiHeapBuffer", "segmentCopy"})
        public String way;
    }

    /** The ways of reading into native memory. */
    @State(Scope.Benchmark)
    public static class NativeReads {
        @Param({"memcpy", "apiSegment", "apiDirectBuffer", "segmentCopy"})
        public String way;
    }

    /**
     * Writes the region from the heap array. {@code apiUploadCycle} is what a guest driver does per upload
     * (AOSP {@code HostConnection::lockAndWriteDma}): lock, copy, unlock, and hand the host the physical address.
     * {@code deviceCycle} is its floor on this device: the same LOCK and UNLOCK as bare downcalls around the
     * same copy, so that the report can tell the device's cost of a cycle from the library's.
     */
    @Benchmark
    public long writeHeap(HeapWrites w, ThreadAllocation alloc) throws Throwable {
        switch (w.way) {
            case "memcpy" -> memcpyFromHeap();
            case "segmentCopy" -> segmentCopyFromHeap();
            case "apiArray" -> apiWriteArray(alloc);
            case "apiHeapBuffer" -> apiWriteBuffer(heapBuffer, alloc);
            case "apiUploadCycle" -> {
                return apiUploadCycle(alloc);
            }
            case "deviceCycle" -> {
                return deviceCycle();
            }
            default -> throw unknown("writeHeap", w.way);
        }
        return 0;
    }

    /** Writes the region from native memory. */
    // 14 s of warm-up, not 8: the direct-buffer form wraps the buffer in a segment per call
    // (MemorySegment.ofBuffer), which only C2's escape analysis removes, and with 32 MiB chunks (one call per
    // operation, about 500 a second on the passthrough device) C2 compiled the caller only in the first
    // measured iterations of an 8 s warm-up: 17 to 28 KB allocated in each of those, none after. Every way of
    // the benchmark gets the same warm-up, so that none is measured earlier in its JVM's life than another.
    @Benchmark
    @Warmup(iterations = 7, time = 2)
    public void writeNative(NativeWrites w, ThreadAllocation alloc) throws Throwable {
        switch (w.way) {
            case "memcpy" -> memcpyFromNative();
            case "segmentCopy" -> segmentCopyFromNative();
            case "apiSegment" -> apiWriteSegment(alloc);
            case "apiDirectBuffer" -> apiWriteBuffer(directBuffer, alloc);
            default -> throw unknown("writeNative", w.way);
        }
    }

    /** Reads the region into the heap array. */
    @Benchmark
    public void readHeap(HeapReads w, ThreadAllocation alloc) throws Throwable {
        switch (w.way) {
            case "memcpy" -> memcpyToHeap();
            case "segmentCopy" -> segmentCopyToHeap();
            case "apiArray" -> apiReadArray(alloc);
            case "apiHeapBuffer" -> apiReadBuffer(heapBuffer, alloc);
            default -> throw unknown("readHeap", w.way);
        }
    }

    /** Reads the region into native memory. */
    @Benchmark
    @Warmup(iterations = 7, time = 2) // as writeNative
    public void readNative(NativeReads w, ThreadAllocation alloc) throws Throwable {
        switch (w.way) {
            case "memcpy" -> memcpyToNative();
            case "segmentCopy" -> segmentCopyToNative();
            case "apiSegment" -> apiReadSegment(alloc);
            case "apiDirectBuffer" -> apiReadBuffer(directBuffer, alloc);
            default -> throw unknown("readNative", w.way);
        }
    }

    private static IllegalArgumentException unknown(String benchmark, String way) {
        return new IllegalArgumentException(benchmark + ": no way named \"" + way + "\"");
    }

    // ---- through the library -------------------------------------------------------------------------------

    private void apiWriteArray(ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            region.write(o, heap, o, chunk);
        }
        alloc.count(SIZE / chunk);
    }

    private void apiWriteSegment(ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            region.write(o, offHeap, o, chunk);
        }
        alloc.count(SIZE / chunk);
    }

    private void apiWriteBuffer(ByteBuffer src, ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            src.limit(o + chunk).position(o);
            region.write(o, src);
        }
        alloc.count(SIZE / chunk);
    }

    private long apiUploadCycle(ThreadAllocation alloc) throws IOException {
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

    private void apiReadArray(ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            region.read(o, heap, o, chunk);
        }
        alloc.count(SIZE / chunk);
    }

    private void apiReadSegment(ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            region.read(o, offHeap, o, chunk);
        }
        alloc.count(SIZE / chunk);
    }

    private void apiReadBuffer(ByteBuffer dst, ThreadAllocation alloc) {
        for (int o = 0; o < SIZE; o += chunk) {
            dst.limit(o + chunk).position(o);
            region.read(o, dst);
        }
        alloc.count(SIZE / chunk);
    }

    // ---- baselines on the same mapping ---------------------------------------------------------------------

    /**
     * The upload cycle with nothing of the library around the device's calls: LOCK and UNLOCK as bare downcalls
     * on the region's device (a second descriptor of it, as the driver's LOCK and UNLOCK do nothing per region)
     * and the copy the API makes for heap memory.
     */
    private long deviceCycle() throws Throwable {
        long addresses = 0;
        for (int o = 0; o < SIZE; o += chunk) {
            bareIoctl(LOCK);
            MemorySegment.copy(heap, o, mapping, JAVA_BYTE, o, chunk);
            addresses += physicalAddress + o;
            bareIoctl(UNLOCK);
        }
        return addresses;
    }

    private void bareIoctl(long request) throws Throwable {
        int r = (int) BareDowncalls.IOCTL.invokeExact(callState, deviceFd, request, ioctlArg);
        if (r != 0) {
            throw Libc.ioctlFailure(deviceFd, request, BareDowncalls.errno(callState));
        }
    }

    private void segmentCopyFromHeap() {
        for (int o = 0; o < SIZE; o += chunk) {
            MemorySegment.copy(heap, o, mapping, JAVA_BYTE, o, chunk);
        }
    }

    private void memcpyFromHeap() throws Throwable {
        for (int o = 0; o < SIZE; o += chunk) {
            BareDowncalls.MEMCPY_HEAP.invokeExact(mapping.asSlice(o, chunk), heapSegment.asSlice(o, chunk), (long) chunk);
        }
    }

    private void segmentCopyFromNative() {
        for (int o = 0; o < SIZE; o += chunk) {
            MemorySegment.copy(offHeap, o, mapping, o, chunk);
        }
    }

    private void memcpyFromNative() throws Throwable {
        for (int o = 0; o < SIZE; o += chunk) {
            BareDowncalls.MEMCPY.invokeExact(mappingAddress + o, offHeapAddress + o, (long) chunk);
        }
    }

    private void segmentCopyToHeap() {
        for (int o = 0; o < SIZE; o += chunk) {
            MemorySegment.copy(mapping, JAVA_BYTE, o, heap, o, chunk);
        }
    }

    private void memcpyToHeap() throws Throwable {
        for (int o = 0; o < SIZE; o += chunk) {
            BareDowncalls.MEMCPY_HEAP.invokeExact(heapSegment.asSlice(o, chunk), mapping.asSlice(o, chunk), (long) chunk);
        }
    }

    private void segmentCopyToNative() {
        for (int o = 0; o < SIZE; o += chunk) {
            MemorySegment.copy(mapping, o, offHeap, o, chunk);
        }
    }

    private void memcpyToNative() throws Throwable {
        for (int o = 0; o < SIZE; o += chunk) {
            BareDowncalls.MEMCPY.invokeExact(offHeapAddress + o, mappingAddress + o, (long) chunk);
        }
    }
}
