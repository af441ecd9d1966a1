package dev.goldfishdma.device;

import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
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
    final String description;
    private final AtomicInteger state = new AtomicInteger();
    private final Arena arena = Arena.ofShared();
    // A self-pipe that close() writes to, so that a thread waiting in poll() wakes up. Made on first wait.
    private volatile int[] wakeup;

    PipeHandle(int fd, String description) {
        this.fd = fd;
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
            try (Arena a = Arena.ofConfined()) {
                Libc.write(w[1], a.allocate(1));
            } catch (ErrnoException e) {
                LOG.log(System.Logger.Level.DEBUG, "waking waiters of " + description, e);
            }
        }
        if ((before & IN_USE) == 0) {
            closeNow();
        }
    }

    /** The Cleaner's action: the pipe object is unreachable but was never closed. */
    void leaked() {
        if (!isClosed()) {
            LOG.log(System.Logger.Level.WARNING, description + " was not closed; closing it now. "
                    + "Close pipes and regions with try-with-resources.");
            markClosed();
        }
    }

    private void closeNow() {
        try {
            int[] w = wakeup;
            if (w != null) {
                Libc.close(w[0]);
                Libc.close(w[1]);
            }
            Libc.close(fd);
        } catch (ErrnoException e) {
            // The descriptor is released all the same. ENOTCONN: the device's server is gone, nothing to flush.
            LOG.log(e.errno() == Errno.ENOTCONN ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                    "closing " + description + ": " + e.getMessage());
        } finally {
            arena.close();
        }
    }

    /**
     * Waits until {@code poll} reports one of {@code events} (or an error or hang-up) on the pipe, or the pipe
     * is closed. The caller holds a use of the descriptor.
     */
    void await(short events) throws ErrnoException {
        int[] w = wakeupPipe();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(PollFd.LAYOUT, 2);
            PollFd.set(fds, 0, fd, events);
            PollFd.set(fds, 1, w[0], PollFd.POLLIN);
            while (!isClosed() && Libc.poll(fds, 2, -1) == 0) {
                // interrupted by a signal: look at the closed flag again, then wait again
            }
        }
    }

    private int[] wakeupPipe() throws ErrnoException {
        int[] w = wakeup;
        if (w == null) {
            synchronized (this) {
                w = wakeup;
                if (w == null) {
                    w = Libc.pipe(OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK);
                    wakeup = w;
                }
            }
        }
        return w;
    }
}
