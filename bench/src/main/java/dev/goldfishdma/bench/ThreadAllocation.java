package dev.goldfishdma.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated by the benchmark thread alone, and the library calls it made, per iteration: JMH
 * reports both as secondary results ({@link #allocatedBytes}, {@link #calls}).
 *
 * <p>Why besides {@code -prof gc}: its {@code gc.alloc.rate.norm} divides what <em>every</em> thread of the
 * JVM allocated by the operations. A slow operation (an upload cycle on the emulated device takes up to a
 * third of a second) leaves the JVM's background allocation, a few hundred kilobytes per second from
 * housekeeping threads, spread over very few operations, which reads as tens of kilobytes per operation
 * that the code under test never allocated. This counter sees only the thread that runs the code.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ThreadAllocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Bytes the benchmark thread allocated in this iteration, counted up to the last completed operation. */
    public long allocatedBytes;
    /** Library calls (lock cycles, copies) made in this iteration. */
    public long calls;
    private long start;

    @Setup(Level.Iteration)
    public void begin() {
        calls = 0;
        allocatedBytes = 0;
        start = THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Records {@code n} calls made by one operation, and the thread's allocation so far. */
    void count(long n) {
        calls += n;
        allocatedBytes = THREADS.getCurrentThreadAllocatedBytes() - start;
    }
}
