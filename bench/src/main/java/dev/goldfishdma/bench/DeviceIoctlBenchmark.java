package dev.goldfishdma.bench;

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
 * One bare LOCK ioctl on the goldfish device, through the libc layer ({@code Libc.ioctlOrErrno}) and through a
 * bare FFM downcall of the same request: what the device itself costs per ioctl (on the emulated device a round
 * trip to its server, which a real driver does not make), the reference for {@link RegionLockBenchmark}'s
 * {@code lockUnlock}. The kernel-only cost of an ioctl is in {@link IoctlBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class DeviceIoctlBenchmark {
    private static final long LOCK = GoldfishDma.GOLDFISH_DMA_IOC_LOCK();

    private final Arena arena = Arena.ofConfined();
    private AvailableDevice device;
    private int deviceFd;
    private MemorySegment lockArg;
    private MemorySegment callState;

    @Setup(Level.Trial)
    public void open() throws IOException {
        device = AvailableDevice.choose();
        deviceFd = Libc.open(device.path().toString(), OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        lockArg = arena.allocate(16, 8);
        callState = BareDowncalls.callState(arena);
        // Both variants must make the call they claim to, and the device must answer it.
        int library = Libc.ioctlOrErrno(deviceFd, LOCK, lockArg);
        if (library != 0) {
            throw Libc.ioctlFailure(deviceFd, LOCK, -library);
        }
        int bare = lockBareFfm(new ThreadAllocation());
        if (bare != 0) {
            throw Libc.ioctlFailure(deviceFd, LOCK, -bare);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        Libc.close(deviceFd);
        device.close();
        arena.close();
    }

    @Benchmark
    public int lockLibraryIoctlOrErrno(ThreadAllocation alloc) {
        int r = Libc.ioctlOrErrno(deviceFd, LOCK, lockArg);
        alloc.count(1);
        return r;
    }

    @Benchmark
    public int lockBareFfm(ThreadAllocation alloc) {
        int r;
        try {
            r = (int) BareDowncalls.IOCTL.invokeExact(callState, deviceFd, LOCK, lockArg);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        alloc.count(1);
        return r < 0 ? -BareDowncalls.errno(callState) : r;
    }
}
