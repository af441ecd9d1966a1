package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.emulator.fuse.gen.fuse_backing_map;
import dev.goldfishdma.emulator.fuse.gen.fuse_out_header;
import dev.goldfishdma.emulator.service.RateLimitedLog;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import static java.lang.foreign.ValueLayout.JAVA_INT;

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
    private final RateLimitedLog log;
    private volatile boolean closed;
    /** Requests read so far, counted just before each read(2) (see {@link #readsStarted()}). */
    private volatile long readsStarted;
    /** The sequence number of the last request whose handler has returned (see {@link #handled(long)}). */
    private volatile long handledThrough;
    // Writers hold it shared around write(2); close() takes it exclusively, so that no thread ever writes
    // to a descriptor number that close() has released and the process may have reused.
    private final ReadWriteLock descriptorLock = new ReentrantReadWriteLock();
    private MemorySegment pollFds; // the reader's, allocated on its first read

    // Replies are assembled in one buffer per writing thread, so that a reply is one write(2).
    private final ThreadLocal<MemorySegment> replyBuffers = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(MAX_WRITE + 4096L, 8));

    /**
     * Takes over {@code fd}, a non-blocking descriptor of {@code /dev/fuse} with a mount on it: it is closed
     * by {@link #close()}, or at once if this fails. Refused replies are reported to {@code log}.
     */
    FuseConnection(int fd, RateLimitedLog log) throws ErrnoException {
        this.log = log;
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
        return readRequest(buffer, -1);
    }

    /**
     * Like {@link #readRequest(MemorySegment)}, waiting at most {@code timeoutMillis} (-1: no limit).
     *
     * @return the request's length, or -1 when the connection is gone, {@link #wakeUp()} was called or the
     *         time ran out
     */
    int readRequest(MemorySegment buffer, int timeoutMillis) throws ErrnoException {
        if (pollFds == null) {
            pollFds = Arena.ofAuto().allocate(PollFd.LAYOUT, 2);
        }
        long deadline = timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!closed) {
            PollFd.set(pollFds, 0, fd, PollFd.POLLIN);
            PollFd.set(pollFds, 1, wakePipe[0], PollFd.POLLIN);
            int wait = timeoutMillis < 0 ? -1 : (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            if (Libc.poll(pollFds, 2, wait) == 0) {
                if (timeoutMillis >= 0 && System.nanoTime() >= deadline) {
                    return -1;
                }
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
                // Counted before the read: the kernel copies a request's data (a writeback's pages) during
                // read(2), so anything that completed before this count was taken is in what it reads.
                readsStarted++;
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
     * The number of read(2) calls on the device started so far, counting the one that read the request
     * being handled: the sequence number of that request ({@link FuseRequest#sequence()}). A request read
     * later than a moment at which this was {@code n} has a sequence number above {@code n}.
     */
    long readsStarted() {
        return readsStarted;
    }

    /** The request thread has handled the request with sequence number {@code sequence}. */
    void handled(long sequence) {
        handledThrough = sequence;
    }

    /** The sequence number of the last request the request thread finished handling. */
    long handledThrough() {
        return handledThrough;
    }

    /**
     * Answers request {@code unique}: {@code errno} 0 with the concatenated {@code payload}, or a positive
     * errno (sent negated) with no payload. A request the kernel has since given up on (interrupted,
     * aborted) is refused by the kernel with ENOENT, which is returned and not logged.
     *
     * @return 0, or the errno the kernel refused the reply with
     */
    int reply(long unique, int errno, MemorySegment... payload) {
        return send(unique, errno == 0 ? 0 : -errno, payload);
    }

    /**
     * {@code FUSE_DEV_IOC_BACKING_OPEN} (Linux 6.9): registers the open file {@code backingFd} as a backing
     * file of this connection, for FUSE passthrough.
     *
     * @return the backing id, positive, to answer an OPEN with
     * @throws ErrnoException EPERM when the connection has no passthrough or the caller lacks
     *                        CAP_SYS_ADMIN; EINVAL for a file that is not a regular file; EBADF
     */
    int openBacking(int backingFd) throws ErrnoException {
        descriptorLock.readLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            if (closed) {
                throw new ErrnoException("ioctl", "FUSE_DEV_IOC_BACKING_OPEN on a closed connection", Errno.ENOTCONN);
            }
            MemorySegment map = fuse_backing_map.allocate(arena); // zeroed: flags 0, padding 0
            fuse_backing_map.fd(map, backingFd);
            return Libc.ioctl(fd, Fuse.FUSE_DEV_IOC_BACKING_OPEN(), map);
        } finally {
            descriptorLock.readLock().unlock();
        }
    }

    /**
     * {@code FUSE_DEV_IOC_BACKING_CLOSE}: forgets backing id {@code id}; files opened with it keep their
     * backing file.
     *
     * @return 0, or the errno (ENOENT for an unknown id)
     */
    int closeBacking(int id) {
        descriptorLock.readLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            if (closed) {
                return Errno.ENOTCONN; // closing the connection dropped every backing file anyway
            }
            MemorySegment backingId = arena.allocate(JAVA_INT);
            backingId.set(JAVA_INT, 0, id);
            int r = Libc.ioctlOrErrno(fd, Fuse.FUSE_DEV_IOC_BACKING_CLOSE(), backingId);
            return r < 0 ? -r : 0;
        } finally {
            descriptorLock.readLock().unlock();
        }
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
                log.log(LOG, System.Logger.Level.WARNING, "reply to request " + unique + " refused: " + e.getMessage());
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
