package dev.goldfishdma.device;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The file descriptor of a pipe and the native memory that goes with it, apart from the {@link GoldfishPipe}
 * object so that the {@link java.lang.ref.Cleaner} can release them when a pipe is leaked.
 *
 * <p>The descriptor is closed only when no call is using it: closing it under a thread that is about to
 * use it would let that thread act on whatever file the number is given to next. Every use is bracketed by
 * {@link #acquire()} and {@link #release()}; the last release after {@link #markClosed()} closes it.
 */
final class PipeHandle {
    private static final System.Logger LOG = System.getLogger(GoldfishPipe.class.getName());
    private static final int CLOSED = 1 << 30;
    private static final int IN_USE = CLOSED - 1;

    final int fd;
    /** The device the descriptor was opened on. */
    final Path device;
    /** What the descriptor is, for messages: device, service and descriptor number. */
    final String description;
    private final AtomicInteger state = new AtomicInteger();
    private final Arena arena = Arena.ofShared();
    // A self-pipe that close() writes to, so that a thread waiting in poll() wakes up. Made on first wait.
    private volatile int[] wakeup;

    PipeHandle(int fd, Path device, String description) {
        this.fd = fd;
        this.device = device;
        this.description = description;
    }

    /** Native memory owned by this pipe, freed when the descriptor is closed; the caller holds a use. */
    MemorySegment allocate(long size) {
        return arena.allocate(size, 8);
    }

    void acquire() throws ClosedChannelException {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                throw new ClosedChannelException();
            }
            if (state.compareAndSet(s, s + 1)) {
                return;
            }
        }
    }

    void release() {
        if (state.decrementAndGet() == CLOSED) {
            closeNow();
        }
    }

    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /** Marks the pipe closed, wakes any waiting thread, and closes the descriptor once no call uses it. */
    void markClosed() {
        int before = state.getAndUpdate(s -> s | CLOSED);
        if ((before & CLOSED) != 0) {
            return;
        }
        int[] w = wakeup;
        if (w != null) {
            try {
                DeviceCalls.wake(w[1], description);
            } catch (DeviceException e) {
                report(System.Logger.Level.DEBUG, "waking waiters of " + description + ": " + e.getMessage());
            }
        }
        if ((before & IN_USE) == 0) {
            closeNow();
        }
    }

    /**
     * The Cleaner's action: the pipe object is unreachable but was never closed. Closes first and reports
     * after, and never throws: reporting may fail (when the process is out of descriptors, logging itself can),
     * and that must not keep the descriptor open.
     */
    void leaked() {
        if (isClosed()) {
            return;
        }
        try {
            markClosed();
        } finally {
            report(System.Logger.Level.WARNING, description + " was not closed; it was closed when it became "
                    + "unreachable. Close pipes and regions with try-with-resources.");
        }
    }

    /** Logs {@code message}; a logger that fails is ignored, as nothing is left to do about it here. */
    private static void report(System.Logger.Level level, String message) {
        try {
            LOG.log(level, message);
        } catch (Throwable ignored) {
            // e.g. out of descriptors, or out of memory: the message is lost, the descriptor is closed anyway
        }
    }

    private void closeNow() {
        try {
            int[] w = wakeup;
            if (w != null) {
                closeQuietly(w[0]);
                closeQuietly(w[1]);
            }
            closeQuietly(fd);
        } finally {
            arena.close();
        }
    }

    /** Closes {@code descriptor}; it is released even when close fails, so a failure is only logged. */
    private void closeQuietly(int descriptor) {
        try {
            DeviceCalls.close(descriptor, description);
        } catch (DeviceGoneException e) {
            // the device's server is gone: there was nothing left to flush
            report(System.Logger.Level.DEBUG, "closing " + description + ": " + e.getMessage());
        } catch (DeviceException e) {
            report(System.Logger.Level.WARNING, "closing " + description + ": " + e.getMessage());
        }
    }

    /**
     * Waits until the pipe can be written ({@code write}) or read, or reports an error or hang-up, or the pipe
     * is closed. The caller holds a use of the descriptor.
     */
    void await(boolean write) throws DeviceException {
        int[] w = wakeupPipe();
        if (!isClosed()) {
            DeviceCalls.awaitReady(this, write, w[0]);
        }
    }

    private int[] wakeupPipe() throws DeviceException {
        int[] w = wakeup;
        if (w == null) {
            synchronized (this) {
                w = wakeup;
                if (w == null) {
                    w = DeviceCalls.wakeupPipe(description);
                    wakeup = w;
                }
            }
        }
        return w;
    }
}
