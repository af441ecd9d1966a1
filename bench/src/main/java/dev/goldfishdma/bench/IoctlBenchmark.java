package dev.goldfishdma.bench;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
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

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The cost of one ioctl through the library, against a bare FFM downcall of the same request and against
 * JNA, on descriptors the kernel answers by itself so that only the call path is measured:
 * {@code GOLDFISH_DMA_IOC_LOCK} on {@code /dev/null} fails with ENOTTY in the VFS, and {@code FIONREAD} on a
 * pipe succeeds. The emulated device's cost, a round trip to its server, is in {@link RegionLockBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// Three forks: a system call's cost moves by several percent from one JVM to the next, and the targets
// compare calls within 10%.
@Fork(value = 3, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class IoctlBenchmark {
    private static final long LOCK = GoldfishDma.GOLDFISH_DMA_IOC_LOCK();
    private static final long FIONREAD = LibcConstants.FIONREAD();
    private static final int PIPE_BYTES = 5;

    private final Arena arena = Arena.ofConfined();
    private int devNull;
    private int[] pipe;
    private MemorySegment lockArg;
    private MemorySegment fionreadArg;
    private MemorySegment callState;
    private Pointer jnaLockArg;
    private Pointer jnaFionreadArg;

    @Setup(Level.Trial)
    public void open() throws IOException {
        devNull = Libc.open("/dev/null", OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        pipe = Libc.pipe(OpenFlags.O_CLOEXEC);
        Libc.writeFully(pipe[1], arena.allocate(PIPE_BYTES));
        lockArg = arena.allocate(16, 8);
        fionreadArg = arena.allocate(JAVA_INT);
        callState = BareDowncalls.callState(arena);
        jnaLockArg = new Pointer(lockArg.address());
        jnaFionreadArg = new Pointer(fionreadArg.address());
        verify();
    }

    // Each variant must make the call it claims to: ENOTTY on /dev/null, the pipe's byte count on FIONREAD.
    private void verify() throws IOException {
        int[] enotty = {enottyLibraryIoctlOrErrno(), enottyBareFfm(), enottyJnaDirect(), enottyJnaInterface()};
        for (int r : enotty) {
            if (r != -Errno.ENOTTY) {
                throw new IllegalStateException("LOCK on /dev/null gave " + r + ", expected -ENOTTY");
            }
        }
        int[] counts = {fionreadLibraryIoctl(), fionreadLibraryIoctlOrErrno(), fionreadBareFfm(), fionreadJnaDirect(),
                fionreadJnaInterface()};
        for (int r : counts) {
            if (r != PIPE_BYTES) {
                throw new IllegalStateException("FIONREAD on the pipe gave " + r + ", expected " + PIPE_BYTES);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws ErrnoException {
        Libc.close(devNull);
        Libc.close(pipe[0]);
        Libc.close(pipe[1]);
        arena.close();
    }

    // ---- ENOTTY on /dev/null ------------------------------------------------------------------------------

    @Benchmark
    public int enottyLibraryIoctlOrErrno() {
        return Libc.ioctlOrErrno(devNull, LOCK, lockArg);
    }

    @Benchmark
    public int enottyBareFfm() {
        try {
            int r = (int) BareDowncalls.IOCTL.invokeExact(callState, devNull, LOCK, lockArg);
            return r < 0 ? -BareDowncalls.errno(callState) : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Benchmark
    public int enottyJnaDirect() {
        int r = JnaLibc.Direct.ioctl(devNull, LOCK, jnaLockArg);
        return r < 0 ? -Native.getLastError() : r;
    }

    @Benchmark
    public int enottyJnaInterface() {
        int r = JnaLibc.Interface.C.ioctl(devNull, LOCK, jnaLockArg);
        return r < 0 ? -Native.getLastError() : r;
    }

    // ---- FIONREAD on a pipe ------------------------------------------------------------------------------

    @Benchmark
    public int fionreadLibraryIoctl() throws ErrnoException {
        Libc.ioctl(pipe[0], FIONREAD, fionreadArg);
        return fionreadArg.get(JAVA_INT, 0);
    }

    @Benchmark
    public int fionreadLibraryIoctlOrErrno() {
        int r = Libc.ioctlOrErrno(pipe[0], FIONREAD, fionreadArg);
        return r < 0 ? r : fionreadArg.get(JAVA_INT, 0);
    }

    @Benchmark
    public int fionreadBareFfm() {
        try {
            int r = (int) BareDowncalls.IOCTL.invokeExact(callState, pipe[0], FIONREAD, fionreadArg);
            return r < 0 ? -BareDowncalls.errno(callState) : fionreadArg.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Benchmark
    public int fionreadJnaDirect() {
        int r = JnaLibc.Direct.ioctl(pipe[0], FIONREAD, jnaFionreadArg);
        return r < 0 ? -Native.getLastError() : fionreadArg.get(JAVA_INT, 0);
    }

    @Benchmark
    public int fionreadJnaInterface() {
        int r = JnaLibc.Interface.C.ioctl(pipe[0], FIONREAD, jnaFionreadArg);
        return r < 0 ? -Native.getLastError() : fionreadArg.get(JAVA_INT, 0);
    }
}
