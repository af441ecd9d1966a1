package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.fuse.gen.fuse_out_header;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One FUSE connection spoken over a descriptor of {@code /dev/fuse} directly (no libfuse): the reading of
 * requests and the writing of replies and notifications.
 *
 * <p>Each reply or notification is one {@code write(2)}, which the kernel takes whole, so any thread may
 * write; only the server's request thread reads.
 */
final class FuseConnection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FuseConnection.class.getName());
    private static final long OUT_HEADER_SIZE = fuse_out_header.sizeof();
    /**
     * Requests carry at most this many pages (INIT announces it); 256 is also the kernel's default ceiling
     * (fs.fuse.max_pages_limit).
     */
    static final int MAX_PAGES = 256;
    /** Largest WRITE payload and NOTIFY_RETRIEVE answer (INIT announces it): 1 MiB with 4 KiB pages. */
    static final int MAX_WRITE = (int) (MAX_PAGES * Libc.PAGE_SIZE);
    /**
     * The kernel refuses a read(2) of /dev/fuse smaller than a WRITE header plus max_write
     * (fs/fuse/dev.c, fuse_dev_do_read); the margin covers every header the emulator can receive.
     */
    static final int READ_BUFFER_SIZE = MAX_WRITE + 64 * 1024;

    private final int fd;
    private final int[] wakePipe;
    private volatile boolean closed;
    // Writers hold it shared around write(2); close() takes it exclusively, so that no thread ever writes
    // to a descriptor number that close() has released and the process may have reused.
    private final ReadWriteLock descriptorLock = new ReentrantReadWriteLock();
    private MemorySegment pollFds; // the reader's, allocated on its first read

    // Replies are assembled in one buffer per writing thread, so that a reply is one write(2).
    private final ThreadLocal<MemorySegment> replyBuffers = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(MAX_WRITE + 4096L, 8));

    /**
     * Takes over {@code fd}, a non-blocking descriptor of {@code /dev/fuse} with a mount on it: it is closed
     * by {@link #close()}, or at once if this fails.
     */
    FuseConnection(int fd) throws ErrnoException {
        try {
            this.wakePipe = Libc.pipe(OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK);
        } catch (ErrnoException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
        this.fd = fd;
    }

    /**
     * Waits for the next request and reads it whole into {@code buffer}. Only one thread reads.
     *
     * @return the request's length in bytes, or -1 once the connection is gone or {@link #wakeUp()} was called
     */
    int readRequest(MemorySegment buffer) throws ErrnoException {
        if (pollFds == null) {
            pollFds = Arena.ofAuto().allocate(PollFd.LAYOUT, 2);
        }
        while (!closed) {
            PollFd.set(pollFds, 0, fd, PollFd.POLLIN);
            PollFd.set(pollFds, 1, wakePipe[0], PollFd.POLLIN);
            if (Libc.poll(pollFds, 2, -1) == 0) {
                continue;
            }
            if (PollFd.revents(pollFds, 1) != 0) {
                return -1;
            }
            short revents = PollFd.revents(pollFds, 0);
            if ((revents & (PollFd.POLLERR | PollFd.POLLNVAL)) != 0 && (revents & PollFd.POLLIN) == 0) {
                return -1;
            }
            try {
                return (int) Libc.read(fd, buffer);
            } catch (ErrnoException e) {
                int errno = e.errno();
                if (errno == Errno.EAGAIN || errno == Errno.ENOENT) {
                    // Nothing after all, or a request that was withdrawn between poll and read.
                    continue;
                }
                if (errno == Errno.ENODEV) {
                    return -1;
                }
                throw e;
            }
        }
        return -1;
    }

    /**
     * Answers request {@code unique}: {@code errno} 0 with the concatenated {@code payload}, or a positive
     * errno (sent negated) with no payload. A request the kernel has since given up on (interrupted,
     * aborted) is ignored.
     */
    void reply(long unique, int errno, MemorySegment... payload) {
        send(unique, errno == 0 ? 0 : -errno, payload);
    }

    /**
     * Sends notification {@code code} (unique 0, the code in the error field).
     *
     * @return 0, or the errno the kernel refused it with (e.g. ENOENT for a node it no longer has)
     */
    int notify(int code, MemorySegment... payload) {
        return send(0, code, payload);
    }

    private int send(long unique, int error, MemorySegment... payload) {
        descriptorLock.readLock().lock();
        try {
            return sendLocked(unique, error, payload);
        } finally {
            descriptorLock.readLock().unlock();
        }
    }

    private int sendLocked(long unique, int error, MemorySegment... payload) {
        if (closed) {
            return Errno.ENOTCONN;
        }
        MemorySegment buffer = replyBuffers.get();
        long length = OUT_HEADER_SIZE;
        for (MemorySegment part : payload) {
            length += part.byteSize();
        }
        if (length > buffer.byteSize()) {
            buffer = Arena.ofAuto().allocate(length, 8);
        }
        fuse_out_header.len(buffer, (int) length);
        fuse_out_header.error(buffer, error);
        fuse_out_header.unique(buffer, unique);
        long offset = OUT_HEADER_SIZE;
        for (MemorySegment part : payload) {
            MemorySegment.copy(part, 0, buffer, offset, part.byteSize());
            offset += part.byteSize();
        }
        try {
            Libc.write(fd, buffer.asSlice(0, length));
            return 0;
        } catch (ErrnoException e) {
            int errno = e.errno();
            // ENOENT: the request was interrupted or aborted meanwhile; ENODEV: the connection is gone.
            if (unique != 0 && errno != Errno.ENOENT && errno != Errno.ENODEV) {
                LOG.log(System.Logger.Level.WARNING, "reply to request " + unique + " refused: " + e.getMessage());
            }
            return errno;
        }
    }

    /** Makes a {@link #readRequest} in progress (or the next one) return -1. */
    void wakeUp() {
        descriptorLock.readLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            if (!closed) {
                Libc.write(wakePipe[1], arena.allocate(1));
            }
        } catch (ErrnoException e) {
            // Full pipe: a wake-up is already pending.
        } finally {
            descriptorLock.readLock().unlock();
        }
    }

    /**
     * Closes {@code /dev/fuse}: closing the last descriptor of the connection aborts it, so any process
     * still waiting on the file system gets an error instead of hanging. The reader thread must have
     * returned from {@link #readRequest} first (see {@link #wakeUp()}). Idempotent.
     */
    @Override
    public void close() {
        descriptorLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(fd);
            closeQuietly(wakePipe[0]);
            closeQuietly(wakePipe[1]);
        } finally {
            descriptorLock.writeLock().unlock();
        }
    }

    private static void closeQuietly(int fd) {
        try {
            Libc.close(fd);
        } catch (ErrnoException e) {
            // Nothing useful to do about a failed close.
        }
    }
}
