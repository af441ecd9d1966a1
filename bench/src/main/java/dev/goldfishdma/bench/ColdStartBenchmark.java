package dev.goldfishdma.bench;

import dev.goldfishdma.device.RegionOption;
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
 * What the transfer benchmarks leave out of their timing: open the device, connect, create and map a 32 MiB
 * region, and touch every page once. Each shot is one cold start; the region is closed after it, untimed.
 * Starting the emulated device itself (a child JVM and a mount) is not part of it: a guest's device is there
 * before any program runs.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 20)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class ColdStartBenchmark {
    private AvailableDevice device;
    private DeviceRegion opened;

    @Setup(Level.Trial)
    public void start() throws IOException {
        device = AvailableDevice.choose();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        device.close();
    }

    /** Faults come one page at a time, as the first writes to a new region meet them. */
    @Benchmark
    public DeviceRegion openCreateMapTouch() throws IOException {
        opened = DeviceRegion.open(device.path(), DeviceRegion.SIZE);
        opened.touchEveryPage();
        return opened;
    }

    /** The same with {@link RegionOption#PREFAULT}: madvise(MADV_POPULATE_WRITE) faults every page in at creation. */
    @Benchmark
    public DeviceRegion openCreateMapPrefaulted() throws IOException {
        opened = DeviceRegion.open(device.path(), DeviceRegion.SIZE, RegionOption.PREFAULT);
        opened.touchEveryPage();
        return opened;
    }

    @TearDown(Level.Invocation)
    public void close() throws IOException {
        if (opened != null) {
            opened.close();
            opened = null;
        }
    }
}
