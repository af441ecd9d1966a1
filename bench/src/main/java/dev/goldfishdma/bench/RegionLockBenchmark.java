package dev.goldfishdma.bench;

import dev.goldfishdma.device.DmaRegion;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The region's own calls on the device: {@link DmaRegion#lock()} with its close (LOCK and UNLOCK ioctls plus the
 * in-process lock), the cached {@link DmaRegion#physicalAddress()}, which must cost no system call, and one bare
 * LOCK on the device for reference: on the emulated device that is a round trip to its server, which a real
 * driver does not make.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class RegionLockBenchmark {
    private static final long LOCK = GoldfishDma.GOLDFISH_DMA_IOC_LOCK();

    private final Arena arena = Arena.ofConfined();
    private Device device;
    private DeviceRegion opened;
    private DmaRegion region;
    private int deviceFd;
    private MemorySegment lockArg;

    @Setup(Level.Trial)
    public void open() throws IOException {
        device = Device.open();
        opened = device.openRegion(Sizes.REGION);
        region = opened.region();
        Sizes.touchEveryPage(region.segment());
        region.physicalAddress();
        deviceFd = Libc.open(device.path().toString(), OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        lockArg = arena.allocate(16, 8);
        int r = Libc.ioctlOrErrno(deviceFd, LOCK, lockArg);
        if (r != 0) {
            throw Libc.ioctlFailure(deviceFd, LOCK, -r);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        Libc.close(deviceFd);
        opened.close();
        device.close();
        arena.close();
    }

    @Benchmark
    public void lockUnlock(ThreadAllocation alloc) throws IOException {
        region.lock().close();
        alloc.count(1);
    }

    @Benchmark
    public long physicalAddress() throws IOException {
        return region.physicalAddress();
    }

    @Benchmark
    public int deviceLockIoctl(ThreadAllocation alloc) {
        int r = Libc.ioctlOrErrno(deviceFd, LOCK, lockArg);
        alloc.count(1);
        return r;
    }
}
