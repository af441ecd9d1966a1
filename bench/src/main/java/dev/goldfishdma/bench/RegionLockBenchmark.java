package dev.goldfishdma.bench;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.emulator.AvailableDevice;
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
import java.util.concurrent.TimeUnit;

/**
 * The region's own calls on the device: {@link DmaRegion#lock()} with its close (LOCK and UNLOCK ioctls plus the
 * in-process lock), and the cached {@link DmaRegion#physicalAddress()}, which must cost no system call. One
 * bare LOCK on the device, for reference, is in {@link DeviceIoctlBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class RegionLockBenchmark {
    private AvailableDevice device;
    private DeviceRegion opened;
    private DmaRegion region;

    @Setup(Level.Trial)
    public void open() throws IOException {
        device = AvailableDevice.choose();
        opened = DeviceRegion.open(device.path(), DeviceRegion.SIZE);
        opened.touchEveryPage();
        region = opened.region();
        region.physicalAddress();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        opened.close();
        device.close();
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
}
