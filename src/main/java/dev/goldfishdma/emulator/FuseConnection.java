package dev.goldfishdma.emulator;

import dev.goldfishdma.gen.fuse.fuse_out_header;
import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One mounted FUSE connection spoken over {@code /dev/fuse} directly: the mount, the reading of requests
 * and the writing of replies and notifications.
 *
 * <p>Each reply or notification is one {@code write(2)}, which the kernel takes whole, so any thread may
 * write; only the emulator's reader thread reads.
 */
final class FuseConnection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FuseConnection.class.getName());
    private static final long OUT_HEADER_SIZE = fuse_out_header.sizeof();
    private static final String FILESYSTEM_TYPE = "fuse.goldfish";
    private static final String SOURCE = "goldfish";

    private final int fd;
    private final Path mountPoint;
    private final int[] wakePipe;
    private volatile boolean mounted;
    private volatile boolean closed;
    // Writers hold it shared around write(2); close() takes it exclusively, so that no thread ever writes
    // to a descriptor number that close() has released and the process may have reused.
    private final ReadWriteLock descriptorLock = new ReentrantReadWriteLock();

    // Replies are assembled in one buffer per writing thread, so that a reply is one write(2).
    private final ThreadLocal<MemorySegment> replyBuffers = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(FuseProtocol.MAX_WRITE + 4096L, 8));

    private FuseConnection(int fd, Path mountPoint, int[] wakePipe) {
        this.fd = fd;
        this.mountPoint = mountPoint;
        this.wakePipe = wakePipe;
    }

    /**
     * Opens {@code /dev/fuse} and mounts it on {@code mountPoint}. The kernel queues INIT at once; nothing
     * on the mount answers until the caller reads and answers it.
     */
    static FuseConnection mount(Path mountPoint) throws ErrnoException {
        // O_NONBLOCK on top of O_RDWR|O_CLOEXEC: the reader waits in poll(2) on this descriptor and on a
        // wake-up pipe, so that close() can stop it even while requests are outstanding; a blocking read(2)
        // of /dev/fuse could not be woken.
        int fd = Libc.open("/dev/fuse", OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK);
        int[] wake = null;
        try {
            wake = Libc.pipe(OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK);
            String options = "fd=" + fd + ",rootmode=40000,user_id=0,group_id=0,allow_other";
            Libc.mount(SOURCE, mountPoint.toString(), FILESYSTEM_TYPE,
                    LibcConstants.MS_NOSUID() | LibcConstants.MS_NODEV(), options);
            FuseConnection connection = new FuseConnection(fd, mountPoint, wake);
            connection.mounted = true;
            return connection;
        } catch (ErrnoException | RuntimeException e) {
            closeQuietly(fd);
            if (wake != null) {
                closeQuietly(wake[0]);
                closeQuietly(wake[1]);
            }
            throw e;
        }
    }

    /** The directory this connection is mounted on. */
    Path mountPoint() {
        return mountPoint;
    }

    /**
     * Waits for the next request and reads it whole into {@code buffer}.
     *
     * @return the request's length in bytes, or -1 once the connection is gone or {@link #wakeUp()} was called
     */
    int readRequest(MemorySegment buffer) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(PollFd.LAYOUT, 2);
            while (!closed) {
                PollFd.set(fds, 0, fd, PollFd.POLLIN);
                PollFd.set(fds, 1, wakePipe[0], PollFd.POLLIN);
                if (Libc.poll(fds, 2, -1) == 0) {
                    continue;
                }
                if (PollFd.revents(fds, 1) != 0) {
                    return -1;
                }
                short revents = PollFd.revents(fds, 0);
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
    }

    /**
     * Answers request {@code unique}: {@code errno} 0 with the concatenated {@code payload}, or a positive
     * errno (sent negated) with no payload. A request the kernel has since given up on (interrupted,
     * aborted) is ignored.
     */
    void reply(long unique, int errno, MemorySegment... payload) {
        send(unique, errno == 0 ? 0 : -errno, payload);
    }

    /** Like {@link #reply(long, int, MemorySegment...)} with {@code length} bytes of {@code data}. */
    void replyData(long unique, MemorySegment data, long length) {
        send(unique, 0, data.asSlice(0, length));
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
     * Detaches the mount ({@code umount2(MNT_DETACH)}): the directory is free at once, and the file system
     * lives on until its last user lets go. Idempotent.
     */
    synchronized void unmount() {
        if (!mounted) {
            return;
        }
        mounted = false;
        try {
            Libc.umount2(mountPoint.toString(), LibcConstants.MNT_DETACH());
        } catch (ErrnoException e) {
            // EINVAL: not a mount point any more (someone else unmounted it).
            if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
            }
        }
    }

    /**
     * Unmounts, then closes {@code /dev/fuse}: closing the last descriptor of the connection aborts it, so
     * any process still waiting on the file system gets an error instead of hanging. The reader thread must
     * have returned from {@link #readRequest} first (see {@link #wakeUp()}).
     */
    @Override
    public synchronized void close() {
        unmount();
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
