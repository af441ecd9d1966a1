package dev.goldfishdma.device;

import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.gen.dma.goldfish_dma_ioctl_info;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection to a host service over the goldfish pipe device: every {@code open()} of the device is a
 * new, independent pipe, connected by writing {@code "pipe:<service>\0"}.
 *
 * <p>A pipe is a {@link ByteChannel}: {@link #read(ByteBuffer)} and {@link #write(ByteBuffer)} carry the
 * service's own protocol, with the usual channel rules (a read returns -1 at end of stream; a thread
 * interrupted while blocked closes the channel and gets {@link java.nio.channels.ClosedByInterruptException};
 * closing from another thread wakes blocked readers and writers with
 * {@link java.nio.channels.AsynchronousCloseException}). {@link MemorySegment} and {@code byte[]} variants
 * avoid the buffer.
 *
 * <p>A pipe can hold one DMA region, as the driver allows ({@link #createRegion}); more regions need more
 * pipes (see {@link RegionManager}). Closing the pipe unmaps and frees its region.
 *
 * <p>Threads: one read and one write may run at once; reads are serialized among themselves, and so are
 * writes. {@link #close()} may be called from any thread, any number of times. A pipe that is never closed
 * is closed when it becomes unreachable, with a warning logged; correct code never relies on that.
 *
 * <p>Underneath, the descriptor is always opened {@code O_NONBLOCK}; a blocking pipe waits in
 * {@code poll(2)} when the host is not ready, so that close and interruption can wake it. What the caller
 * sees is the driver's blocking or non-blocking behaviour, as chosen with {@link PipeOption}.
 */
public final class GoldfishPipe extends AbstractInterruptibleChannel implements ByteChannel {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final int BOUNCE_SIZE = 64 * 1024;

    private final Path device;
    private final String service;
    private final boolean nonBlocking;
    private final PipeHandle handle;
    private final Cleaner.Cleanable cleanable;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object regionLock = new Object();
    private MemorySegment readBounce;
    private MemorySegment writeBounce;
    private DmaRegion region;

    private GoldfishPipe(Path device, String service, boolean nonBlocking, int fd) {
        this.device = device;
        this.service = service;
        this.nonBlocking = nonBlocking;
        this.handle = new PipeHandle(fd, "goldfish pipe " + device + " (service " + service + ", fd " + fd + ")");
        this.cleanable = CLEANER.register(this, handle::leaked);
    }

    /**
     * Opens the device at the first of {@link DevicePaths#KNOWN} that exists and connects to {@code service}.
     *
     * @throws NoDeviceException when none of the known paths exists
     * @see #open(Path, String, PipeOption...)
     */
    public static GoldfishPipe open(String service, PipeOption... options) throws IOException {
        return open(DevicePaths.require(), service, options);
    }

    /**
     * Opens {@code device} and connects to the host service {@code service}.
     *
     * @param device  the goldfish pipe device, e.g. {@code /dev/goldfish_pipe}
     * @param service the host service, e.g. {@code opengles}; a namespaced {@code ns:name} is passed as is
     * @throws IllegalArgumentException if {@code service} is empty, contains NUL or is longer than
     *                                  {@link DriverRules#MAX_SERVICE_NAME_BYTES} bytes
     * @throws ErrnoException           if the device cannot be opened (e.g. {@code ENOENT}, {@code EACCES}) or the
     *                                  connection string cannot be written
     */
    public static GoldfishPipe open(Path device, String service, PipeOption... options) throws IOException {
        Objects.requireNonNull(device, "device");
        byte[] connect = DriverRules.connectString(service);
        boolean nonBlocking = Arrays.asList(options).contains(PipeOption.NON_BLOCKING);
        int fd = Libc.open(device.toString(), OpenFlags.O_RDWR | OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC);
        GoldfishPipe pipe = new GoldfishPipe(device, service, nonBlocking, fd);
        try {
            pipe.writeAll(MemorySegment.ofArray(connect), true);
            return pipe;
        } catch (IOException | RuntimeException | Error e) {
            pipe.close();
            throw e;
        }
    }

    /** The device this pipe was opened on. */
    public Path device() {
        return device;
    }

    /** The host service this pipe is connected to. */
    public String service() {
        return service;
    }

    /** Whether reads and writes return at once instead of waiting for the host. */
    public boolean isNonBlocking() {
        return nonBlocking;
    }

    // ---- reading and writing ----------------------------------------------------------------------------

    /**
     * Reads into {@code dst}'s remaining bytes.
     *
     * @return the number of bytes read; -1 at end of stream (the host ended it); 0 only in non-blocking mode
     *         when the host has nothing to give, or when {@code dst} has no room
     * @throws ErrnoException e.g. {@code EIO} once the host has closed the pipe
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            ensureOpen();
            return 0;
        }
        if (dst.isDirect()) {
            int n = (int) read(MemorySegment.ofBuffer(dst));
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }
        readLock.lock();
        handle.acquire();
        try {
            MemorySegment bounce = readBounce();
            int n = (int) transfer(bounce.asSlice(0, Math.min(dst.remaining(), BOUNCE_SIZE)), false);
            if (n > 0) {
                dst.put(bounce.asSlice(0, n).asByteBuffer());
            }
            return n;
        } finally {
            handle.release();
            readLock.unlock();
        }
    }

    /**
     * Reads into {@code dst} (native or heap memory).
     *
     * @return as {@link #read(ByteBuffer)}
     */
    public long read(MemorySegment dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (dst.byteSize() == 0) {
            ensureOpen();
            return 0;
        }
        readLock.lock();
        handle.acquire();
        try {
            if (dst.isNative()) {
                return transfer(dst, false);
            }
            MemorySegment bounce = readBounce();
            long n = transfer(bounce.asSlice(0, Math.min(dst.byteSize(), BOUNCE_SIZE)), false);
            if (n > 0) {
                MemorySegment.copy(bounce, 0, dst, 0, n);
            }
            return n;
        } finally {
            handle.release();
            readLock.unlock();
        }
    }

    /**
     * Reads up to {@code length} bytes into {@code dst} at {@code offset}.
     *
     * @return as {@link #read(ByteBuffer)}
     * @throws IndexOutOfBoundsException if the range is not within {@code dst}
     */
    public int read(byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return (int) read(MemorySegment.ofArray(dst).asSlice(offset, length));
    }

    /**
     * Reads until {@code dst} is full.
     *
     * @throws java.io.EOFException if the stream ends first
     * @throws IllegalStateException in non-blocking mode, where waiting for all bytes is not possible
     */
    public void readFully(MemorySegment dst) throws IOException {
        requireBlocking("readFully");
        long done = 0;
        while (done < dst.byteSize()) {
            long n = read(dst.asSlice(done));
            if (n < 0) {
                throw new java.io.EOFException("end of stream after " + done + " of " + dst.byteSize()
                        + " bytes from " + handle.description);
            }
            done += n;
        }
    }

    /** Reads until {@code dst} is full; see {@link #readFully(MemorySegment)}. */
    public void readFully(byte[] dst) throws IOException {
        readFully(MemorySegment.ofArray(dst));
    }

    /**
     * Writes {@code src}'s remaining bytes, or as many as the host takes in non-blocking mode.
     *
     * @return the number of bytes written
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = (int) write(MemorySegment.ofBuffer(src));
        src.position(src.position() + n);
        return n;
    }

    /**
     * Writes {@code src} (native or heap memory): all of it in blocking mode, as much as the host takes in
     * non-blocking mode.
     *
     * @return the number of bytes written
     */
    public long write(MemorySegment src) throws IOException {
        Objects.requireNonNull(src, "src");
        return writeAll(src, !nonBlocking);
    }

    /**
     * Writes {@code length} bytes of {@code src} from {@code offset}; see {@link #write(MemorySegment)}.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code src}
     */
    public int write(byte[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        return (int) write(MemorySegment.ofArray(src).asSlice(offset, length));
    }

    private long writeAll(MemorySegment src, boolean all) throws IOException {
        if (src.byteSize() == 0) {
            ensureOpen();
            return 0;
        }
        writeLock.lock();
        handle.acquire();
        try {
            long done = 0;
            do {
                MemorySegment chunk;
                if (src.isNative()) {
                    chunk = src.asSlice(done);
                } else {
                    long size = Math.min(src.byteSize() - done, BOUNCE_SIZE);
                    chunk = writeBounce().asSlice(0, size);
                    MemorySegment.copy(src, done, chunk, 0, size);
                }
                long n = transfer(chunk, true);
                if (n <= 0) {
                    break;
                }
                done += n;
            } while (all && done < src.byteSize());
            return done;
        } finally {
            handle.release();
            writeLock.unlock();
        }
    }

    /**
     * One read or write, waiting for the host in blocking mode. Returns -1 for end of stream (reads), 0 when
     * a non-blocking call would have to wait.
     */
    private long transfer(MemorySegment buffer, boolean write) throws IOException {
        boolean completed = false;
        begin();
        try {
            handle.acquire();
            try {
                long n = write ? Libc.write(handle.fd, buffer) : Libc.read(handle.fd, buffer);
                completed = true;
                return !write && n == 0 ? -1 : n;
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
                if (nonBlocking) {
                    completed = true;
                    return 0;
                }
                long n = waitAndRetry(buffer, write);
                completed = true;
                return n;
            } finally {
                handle.release();
            }
        } finally {
            end(completed);
        }
    }

    private long waitAndRetry(MemorySegment buffer, boolean write) throws IOException {
        while (true) {
            handle.await(write ? PollFd.POLLOUT : PollFd.POLLIN);
            if (handle.isClosed()) {
                throw new java.nio.channels.AsynchronousCloseException();
            }
            try {
                long n = write ? Libc.write(handle.fd, buffer) : Libc.read(handle.fd, buffer);
                return !write && n == 0 ? -1 : n;
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
            }
        }
    }

    private MemorySegment readBounce() {
        if (readBounce == null) {
            readBounce = handle.allocate(BOUNCE_SIZE);
        }
        return readBounce;
    }

    private MemorySegment writeBounce() {
        if (writeBounce == null) {
            writeBounce = handle.allocate(BOUNCE_SIZE);
        }
        return writeBounce;
    }

    private void requireBlocking(String call) {
        if (nonBlocking) {
            throw new IllegalStateException(call + " needs a blocking pipe; this one was opened NON_BLOCKING");
        }
    }

    private void ensureOpen() throws java.nio.channels.ClosedChannelException {
        if (!isOpen()) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    // ---- readiness --------------------------------------------------------------------------------------

    /**
     * Waits up to {@code timeout} until the pipe is ready for one of {@code events} ({@link PollFd#POLLIN},
     * {@link PollFd#POLLOUT}) and returns what {@code poll(2)} reported, which may also hold
     * {@link PollFd#POLLHUP} or {@link PollFd#POLLERR}; 0 on time-out.
     */
    public short poll(short events, Duration timeout) throws IOException {
        long millis = timeout.toMillis();
        int wait = millis > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.max(0, millis);
        handle.acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(PollFd.LAYOUT, 1);
            PollFd.set(fds, 0, handle.fd, events);
            return Libc.poll(fds, 1, wait) == 0 ? 0 : PollFd.revents(fds, 0);
        } finally {
            handle.release();
        }
    }

    // ---- DMA ----------------------------------------------------------------------------------------

    /**
     * Creates this pipe's DMA region of {@code size} bytes and maps it.
     *
     * @param size a multiple of the page size, from one page to {@link DriverRules#MAX_REGION_SIZE}
     * @throws IllegalArgumentException if {@code size} breaks the driver's rule (checked before any call)
     * @throws ErrnoException           {@code EBUSY} if this pipe already has a region (one region per pipe: open
     *                                  another pipe); {@code ENOTTY} if the device is not a goldfish pipe;
     *                                  {@code ENOMEM} if the driver cannot allocate the memory; with
     *                                  {@link RegionOption#PREFAULT}, the {@code madvise} error when a page
     *                                  cannot be faulted in (the region stays created, unmapped)
     */
    public DmaRegion createRegion(long size, RegionOption... options) throws IOException {
        DriverRules.checkRegionSize(size);
        synchronized (regionLock) {
            ensureOpen();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment info = goldfish_dma_ioctl_info.allocate(arena);
                goldfish_dma_ioctl_info.size(info, size);
                ioctl(GoldfishDma.GOLDFISH_DMA_IOC_CREATE_REGION(), info, "CREATE_REGION");
            }
            DmaRegion created = DmaRegion.map(this, size, Arrays.asList(options).contains(RegionOption.PREFAULT));
            region = created;
            return created;
        }
    }

    /**
     * Asks the driver about this pipe's region ({@code GETOFF}): {@code {0, 0}} with no region,
     * {@code {0, size}} before the region's memory is allocated, the physical address after.
     */
    public RegionInfo regionInfo() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = goldfish_dma_ioctl_info.allocate(arena);
            ioctl(GoldfishDma.GOLDFISH_DMA_IOC_GETOFF(), info, "GETOFF");
            return new RegionInfo(goldfish_dma_ioctl_info.phys_begin(info), goldfish_dma_ioctl_info.size(info));
        }
    }

    /** The pipe's region, or null. */
    DmaRegion region() {
        synchronized (regionLock) {
            return region;
        }
    }

    /**
     * A goldfish ioctl on this pipe's descriptor. {@code ENOTTY} means the device is no goldfish pipe (or a
     * driver without DMA), and the exception says so.
     */
    int ioctl(long request, MemorySegment arg, String name) throws IOException {
        handle.acquire();
        try {
            int r = Libc.ioctlOrErrno(handle.fd, request, arg);
            if (r < 0) {
                String explanation = -r == Errno.ENOTTY
                        ? device + " is not a goldfish pipe with DMA (GOLDFISH_DMA_IOC_" + name + " is unknown to it)"
                        : -r == Errno.EBUSY && "CREATE_REGION".equals(name)
                        ? "this pipe already has a region (the driver allows one per open pipe)"
                        : null;
                throw new ErrnoException("ioctl", "fd=" + handle.fd + ", request=GOLDFISH_DMA_IOC_" + name, -r,
                        explanation);
            }
            return r;
        } finally {
            handle.release();
        }
    }

    /** The descriptor, for {@link DmaRegion}'s mmap and hot-path ioctls; callers hold a use. */
    PipeHandle handle() {
        return handle;
    }

    // ---- closing -----------------------------------------------------------------------------------------

    @Override
    protected void implCloseChannel() {
        DmaRegion r;
        synchronized (regionLock) {
            r = region;
        }
        if (r != null) {
            r.close();
        }
        handle.markClosed();
        cleanable.clean();
    }

    @Override
    public String toString() {
        return "GoldfishPipe[" + device + ", service=" + service + (nonBlocking ? ", non-blocking" : "")
                + (isOpen() ? "" : ", closed") + "]";
    }
}
