package dev.goldfishdma.device;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ByteChannel;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
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
 * is closed when it becomes unreachable, and a warning is logged after (a logger that fails, as when the
 * process has run out of descriptors, cannot keep it open); correct code never relies on that.
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
    // Whether the connect string was written, and whether a read or write succeeded after it: EIO before any
    // exchange means the host turned the connection down, which for a host service means it has no such name.
    private volatile boolean connected;
    private volatile boolean exchanged;

    private GoldfishPipe(Path device, String service, boolean nonBlocking, int fd) {
        this.device = device;
        this.service = service;
        this.nonBlocking = nonBlocking;
        this.handle = new PipeHandle(fd, device,
                "goldfish pipe " + device + " (service " + service + ", fd " + fd + ")");
        this.cleanable = CLEANER.register(this, handle::leaked);
    }

    /**
     * Opens {@code device} and connects to the host service {@code service}.
     *
     * @param device  the goldfish pipe device, e.g. {@code /dev/goldfish_pipe}
     * @param service the host service, e.g. {@code opengles}; a namespaced {@code ns:name} is passed as is
     * @param options {@link PipeOption#NON_BLOCKING} for a pipe whose reads and writes never wait
     * @return the pipe, connected
     * @throws IllegalArgumentException if {@code service} is empty, contains NUL or is longer than
     *                                  {@link DriverRules#MAX_SERVICE_NAME_BYTES} bytes
     * @throws NoDeviceException        if there is no device at {@code device}
     * @throws DeviceException          if the device cannot be opened for another reason (e.g. {@code EACCES}) or
     *                                  the connection string cannot be written
     */
    public static GoldfishPipe open(Path device, String service, PipeOption... options) throws IOException {
        Objects.requireNonNull(device, "device");
        byte[] connect = DriverRules.connectString(service);
        boolean nonBlocking = Arrays.asList(options).contains(PipeOption.NON_BLOCKING);
        int fd = DeviceCalls.open(device, true);
        GoldfishPipe pipe = new GoldfishPipe(device, service, nonBlocking, fd);
        try {
            pipe.writeAll(MemorySegment.ofArray(connect), true);
            pipe.connected = true;
            return pipe;
        } catch (IOException | RuntimeException | Error e) {
            pipe.close();
            throw e;
        }
    }

    /** {@return the device this pipe was opened on} */
    public Path device() {
        return device;
    }

    /** {@return the host service this pipe is connected to} */
    public String service() {
        return service;
    }

    /** {@return whether reads and writes return at once instead of waiting for the host} */
    public boolean isNonBlocking() {
        return nonBlocking;
    }

    // ---- reading and writing ----------------------------------------------------------------------------

    /**
     * Reads into {@code dst}'s remaining bytes.
     *
     * @return the number of bytes read; -1 at end of stream (the host ended it); 0 only in non-blocking mode
     *         when the host has nothing to give, or when {@code dst} has no room
     * @throws PipeClosedByHostException once the host has closed the pipe
     * @throws DeviceGoneException       if the device went away
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        requireWritable(dst.isReadOnly(), "dst is a read-only buffer");
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
     * @param dst where the bytes go; up to all of it is filled
     * @return as {@link #read(ByteBuffer)}
     * @throws IOException as {@link #read(ByteBuffer)}
     */
    public long read(MemorySegment dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        requireWritable(dst.isReadOnly(), "dst is a read-only segment");
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
     * @param dst    where the bytes go
     * @param offset where in {@code dst} to start
     * @param length the most bytes to read
     * @return as {@link #read(ByteBuffer)}
     * @throws IndexOutOfBoundsException if the range is not within {@code dst}
     * @throws IOException as {@link #read(ByteBuffer)}
     */
    public int read(byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return (int) read(MemorySegment.ofArray(dst).asSlice(offset, length));
    }

    /**
     * Reads until {@code dst} is full.
     *
     * @param dst where the bytes go, all of it filled
     * @throws java.io.EOFException if the stream ends first
     * @throws IllegalStateException in non-blocking mode, where waiting for all bytes is not possible
     * @throws IOException as {@link #read(ByteBuffer)}
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

    /**
     * Reads until {@code dst} is full; see {@link #readFully(MemorySegment)}.
     *
     * @param dst where the bytes go, all of it filled
     * @throws IOException as {@link #readFully(MemorySegment)}
     */
    public void readFully(byte[] dst) throws IOException {
        readFully(MemorySegment.ofArray(dst));
    }

    /**
     * Writes {@code src}'s remaining bytes, or as many as the host takes in non-blocking mode.
     *
     * @param src what to write: its remaining bytes
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
     * @param src what to write
     * @return the number of bytes written
     * @throws PipeClosedByHostException once the host has closed the pipe
     * @throws DeviceGoneException       if the device went away
     */
    public long write(MemorySegment src) throws IOException {
        Objects.requireNonNull(src, "src");
        return writeAll(src, !nonBlocking);
    }

    /**
     * Writes {@code length} bytes of {@code src} from {@code offset}; see {@link #write(MemorySegment)}.
     *
     * @param src    what to write
     * @param offset where in {@code src} to start
     * @param length how many bytes
     * @return the number of bytes written
     * @throws IndexOutOfBoundsException if the range is not within {@code src}
     * @throws IOException as {@link #write(MemorySegment)}
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
                long n = transferOnce(buffer, write);
                while (n == DeviceCalls.WOULD_BLOCK && !nonBlocking) {
                    handle.await(write);
                    if (handle.isClosed()) {
                        throw new AsynchronousCloseException();
                    }
                    n = transferOnce(buffer, write);
                }
                completed = true;
                if (n == DeviceCalls.WOULD_BLOCK) {
                    return 0;
                }
                return !write && n == 0 ? -1 : n;
            } finally {
                handle.release();
            }
        } finally {
            end(completed);
        }
    }

    private long transferOnce(MemorySegment buffer, boolean write) throws DeviceException {
        long n;
        try {
            n = write ? DeviceCalls.write(handle, buffer) : DeviceCalls.read(handle, buffer);
        } catch (PipeClosedByHostException e) {
            if (connected && !exchanged && deviceAnswers()) {
                throw new PipeClosedByHostException(new CallFailure(e.call(), e.arguments(), e.target(), e.errno(),
                        e.errnoName(), e.errnoDescription()), "the host has no service named \"" + service
                        + "\" (it closed the pipe at the first " + (write ? "write" : "read")
                        + " after connecting; a service that exists but turned the connection down looks the same)");
            }
            throw e;
        }
        if (n > 0 && connected) {
            exchanged = true;
        }
        return n;
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

    /**
     * Whether the device file still answers (a stat of it works): when what serves it ended, EIO is the end of
     * the device, not the host's refusal of a service.
     */
    private boolean deviceAnswers() {
        try {
            FileType.of(device);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Refuses a read-only destination before the pipe is touched: read bytes cannot be given back, so a
     * read that could not store them would lose them.
     */
    private static void requireWritable(boolean readOnly, String what) {
        if (readOnly) {
            throw new IllegalArgumentException("read: " + what + "; nothing was read from the pipe");
        }
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
     * Waits up to {@code timeout} until the pipe is ready for one of {@code events}
     * ({@link PipeEvent#READABLE}, {@link PipeEvent#WRITABLE}) and returns what the device reported, which
     * may also hold {@link PipeEvent#HANG_UP} or {@link PipeEvent#ERROR} (those two are reported whether asked
     * for or not).
     *
     * @param events  what to wait for
     * @param timeout how long to wait: zero or negative does not wait; any length is taken, the longest wait
     *                being {@link Integer#MAX_VALUE} milliseconds (about 24.8 days)
     * @return the events reported; empty on time-out
     * @throws DeviceException if the device's poll fails
     */
    public Set<PipeEvent> poll(Set<PipeEvent> events, Duration timeout) throws IOException {
        Objects.requireNonNull(events, "events");
        int wait = pollMillis(timeout);
        handle.acquire();
        try {
            return DeviceCalls.poll(handle, events, wait);
        } finally {
            handle.release();
        }
    }

    /**
     * {@code timeout} as poll(2) takes it: whole milliseconds, rounded up so that a short wait still waits, at
     * most {@link Integer#MAX_VALUE} (24 days); a negative one is no wait.
     */
    static int pollMillis(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            return 0;
        }
        if (timeout.getSeconds() >= Integer.MAX_VALUE / 1000) {
            return Integer.MAX_VALUE;
        }
        long millis = timeout.getSeconds() * 1000 + (timeout.getNano() + 999_999) / 1_000_000;
        return (int) Math.min(Integer.MAX_VALUE, millis);
    }

    // ---- DMA ----------------------------------------------------------------------------------------

    /**
     * Creates this pipe's DMA region of {@code size} bytes and maps it.
     *
     * @param size a multiple of the page size, from one page to {@link DriverRules#MAX_REGION_SIZE}
     * @param options e.g. {@link RegionOption#PREFAULT}, to populate the mapping at once
     * @return the region, mapped
     * @throws IllegalArgumentException if {@code size} breaks the driver's rule (checked before any call)
     * @throws RegionAlreadyExistsException if this pipe already has a region (one region per pipe: open
     *                                      another pipe)
     * @throws NotAGoldfishPipeException    if the device is not a goldfish pipe with DMA
     * @throws DeviceException              e.g. {@code ENOMEM} if the driver cannot allocate the memory; with
     *                                      {@link RegionOption#PREFAULT}, the {@code madvise} error when a
     *                                      page cannot be faulted in (the region stays created, unmapped)
     */
    public DmaRegion createRegion(long size, RegionOption... options) throws IOException {
        DriverRules.checkRegionSize(size);
        synchronized (regionLock) {
            ensureOpen();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment info = DmaIoctl.newArgument(arena);
                DmaIoctl.setSize(info, size);
                ioctl(DmaIoctl.CREATE_REGION, info);
            }
            DmaRegion created = DmaRegion.map(this, size, Arrays.asList(options).contains(RegionOption.PREFAULT));
            region = created;
            return created;
        }
    }

    /**
     * Asks the driver about this pipe's region ({@code GETOFF}): {@code {0, 0}} with no region,
     * {@code {0, size}} before the region's memory is allocated, the physical address after.
     *
     * @return what the driver reports
     * @throws NotAGoldfishPipeException if the device is not a goldfish pipe with DMA
     */
    public RegionInfo regionInfo() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = DmaIoctl.newArgument(arena);
            ioctl(DmaIoctl.GETOFF, info);
            return DmaIoctl.regionInfo(info);
        }
    }

    /** The pipe's region, or null. */
    DmaRegion region() {
        synchronized (regionLock) {
            return region;
        }
    }

    /** A DMA ioctl on this pipe's descriptor, which stays open for the call. */
    void ioctl(DmaIoctl ioctl, MemorySegment argument) throws IOException {
        handle.acquire();
        try {
            DeviceCalls.ioctl(handle, ioctl, argument);
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
