package dev.goldfishdma.device;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A physically contiguous region of guest memory that the host can see, mapped into this process.
 *
 * <p>{@link #segment()} is exactly {@link #size()} bytes long and lives exactly as long as the region: after
 * {@link #close()} every access to it throws {@link IllegalStateException}, and the memory is unmapped only
 * after that, so no Java code can ever touch unmapped memory. Writes to the segment are visible to the host
 * at once; hand it {@link #physicalAddress()} (over the pipe, in the service's own protocol) to tell it
 * where to look.
 *
 * <p>The driver's LOCK and UNLOCK bracket an access with {@link #lock()}:
 * {@snippet :
 * try (RegionLock held = region.lock()) {
 *     region.write(0, data, 0, data.length);
 *     tellHost(region.physicalAddress(), data.length);
 * }
 * }
 * Lock, copy, unlock and {@link #physicalAddress()} allocate nothing once the JIT has compiled the caller, so
 * the upload loop produces no garbage.
 *
 * <p>Threads: every method may be called from any thread. Copies into different parts of the region may run
 * in parallel; {@link #lock()} serializes the threads of this process that use it. {@link #close()} is
 * idempotent; a copy racing with it either completes or throws {@link IllegalStateException}.
 *
 * <p>A region is created by {@link GoldfishPipe#createRegion} and belongs to its pipe: closing the pipe
 * closes the region, and the driver frees the memory once both are gone.
 */
public final class DmaRegion implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DmaRegion.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();

    private final GoldfishPipe pipe;
    private final long size;
    private final Mapping mapping;
    private final MemorySegment segment;
    private final MemorySegment lockArgument;
    private final ReentrantLock lock = new ReentrantLock();
    private final RegionLock held = new RegionLock(this);
    private final Cleaner.Cleanable cleanable;
    private volatile long physicalAddress;
    private volatile byte touched;

    private DmaRegion(GoldfishPipe pipe, long size, Mapping mapping) {
        this.pipe = pipe;
        this.size = size;
        this.mapping = mapping;
        this.segment = mapping.segment;
        this.lockArgument = DmaIoctl.newArgument(mapping.arena);
        this.cleanable = CLEANER.register(this, mapping::leaked);
    }

    static DmaRegion map(GoldfishPipe pipe, long size, boolean prefault) throws IOException {
        PipeHandle handle = pipe.handle();
        MemorySegment address;
        handle.acquire();
        try {
            address = DeviceCalls.map(handle, size, prefault);
        } finally {
            handle.release();
        }
        return new DmaRegion(pipe, size, new Mapping(address, size, handle.description));
    }

    /** {@return the region's memory: {@link #size()} bytes, inaccessible once the region is closed} */
    public MemorySegment segment() {
        return segment;
    }

    /** {@return the region's size in bytes} */
    public long size() {
        return size;
    }

    /** {@return the pipe this region belongs to} */
    public GoldfishPipe pipe() {
        return pipe;
    }

    /** {@return whether the region is still mapped} */
    public boolean isOpen() {
        return !mapping.closed.get();
    }

    /**
     * The guest physical address of the region, for the host. Asked of the driver once ({@code GETOFF}) and
     * remembered: it cannot change while the region lives.
     *
     * <p>The driver allocates the memory at mmap time; a device whose memory appeared only at the first touch
     * of the mapping would report 0 until then, so the first call reads one byte of the region when the
     * device reports no address yet.
     *
     * @return the physical address of the region's first byte
     * @throws IllegalStateException if the region is closed
     * @throws DeviceException if the driver's GETOFF fails
     * @throws IOException       if the driver reports no address, or another size, for the mapped region
     */
    public long physicalAddress() throws IOException {
        long address = physicalAddress;
        if (address != 0 && !mapping.closed.get()) {
            return address;
        }
        return queryPhysicalAddress();
    }

    private synchronized long queryPhysicalAddress() throws IOException {
        ensureOpen();
        if (physicalAddress == 0) {
            RegionInfo info = pipe.regionInfo();
            if (!info.allocated()) {
                // Stored, so that the compiler cannot drop the read that makes the page fault.
                touched = segment.get(JAVA_BYTE, 0);
                info = pipe.regionInfo();
            }
            if (!info.allocated() || info.size() != size) {
                throw new IOException("the driver reports " + info + " for a mapped region of " + size + " bytes");
            }
            physicalAddress = info.physicalAddress();
        }
        return physicalAddress;
    }

    /**
     * {@return what the driver reports for this region now ({@code GETOFF})}
     *
     * @throws DeviceException if the driver's GETOFF fails
     */
    public RegionInfo info() throws IOException {
        ensureOpen();
        return pipe.regionInfo();
    }

    // ---- lock -----------------------------------------------------------------------------------------

    /**
     * Locks the region for access: waits for other threads of this process holding it, then issues the
     * driver's LOCK. Close the returned guard (try-with-resources) to issue UNLOCK, which wakes the host
     * side, and let the next thread in. Reentrant; allocates nothing.
     *
     * @return the guard, whose {@link RegionLock#close() close()} unlocks
     * @throws IllegalStateException if the region is closed
     * @throws DeviceException if the driver's LOCK fails
     */
    public RegionLock lock() throws IOException {
        lock.lock();
        try {
            ensureOpen();
            lockIoctl(DmaIoctl.LOCK);
            return held;
        } catch (IOException | RuntimeException | Error e) {
            lock.unlock();
            throw e;
        }
    }

    void unlock() throws IOException {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("the region is not locked by this thread");
        }
        try {
            if (isOpen()) {
                lockIoctl(DmaIoctl.UNLOCK);
            }
        } finally {
            lock.unlock();
        }
    }

    private void lockIoctl(DmaIoctl ioctl) throws IOException {
        PipeHandle handle = pipe.handle();
        handle.acquire();
        try {
            DeviceCalls.ioctl(handle, ioctl, lockArgument);
        } finally {
            handle.release();
        }
    }

    // ---- bulk copies ----------------------------------------------------------------------------------

    /**
     * Copies {@code length} bytes of {@code src} from {@code srcOffset} into the region at {@code offset}.
     *
     * @param offset    where in the region to start
     * @param src       what to copy from
     * @param srcOffset where in {@code src} to start
     * @param length    how many bytes to copy
     * @throws IndexOutOfBoundsException if either range is out of bounds (negative, too long, or overflowing)
     * @throws IllegalStateException     if the region is closed
     */
    public void write(long offset, byte[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        checkRange(offset, length);
        BulkCopy.fromArray(src, srcOffset, segment, offset, length);
    }

    /**
     * Copies all of {@code src} into the region at {@code offset}; see {@link #write(long, byte[], int, int)}.
     *
     * @param offset where in the region to start
     * @param src    what to copy, all of it
     */
    public void write(long offset, MemorySegment src) {
        checkRange(offset, src.byteSize());
        BulkCopy.copy(src, 0, segment, offset, src.byteSize());
    }

    /**
     * Copies {@code length} bytes of {@code src} from {@code srcOffset} into the region at {@code offset}, for
     * uploading a large buffer chunk by chunk without slicing it.
     *
     * @param offset    where in the region to start
     * @param src       what to copy from
     * @param srcOffset where in {@code src} to start
     * @param length    how many bytes to copy
     * @throws IndexOutOfBoundsException if either range is out of bounds
     */
    public void write(long offset, MemorySegment src, long srcOffset, long length) {
        Objects.checkFromIndexSize(srcOffset, length, src.byteSize());
        checkRange(offset, length);
        BulkCopy.copy(src, srcOffset, segment, offset, length);
    }

    /**
     * Copies {@code src}'s remaining bytes into the region at {@code offset} and advances its position.
     *
     * @param offset where in the region to start
     * @param src    what to copy: its remaining bytes
     * @throws IndexOutOfBoundsException if they do not fit
     */
    public void write(long offset, ByteBuffer src) {
        int length = src.remaining();
        checkRange(offset, length);
        if (src.hasArray()) {
            // Straight from the array: wrapping a heap buffer in a segment would allocate on every call.
            BulkCopy.fromArray(src.array(), src.arrayOffset() + src.position(), segment, offset, length);
        } else {
            BulkCopy.copy(MemorySegment.ofBuffer(src), 0, segment, offset, length);
        }
        src.position(src.position() + length);
    }

    /**
     * Copies {@code length} bytes of the region from {@code offset} into {@code dst} at {@code dstOffset}.
     *
     * @param offset    where in the region to start
     * @param dst       where to copy to
     * @param dstOffset where in {@code dst} to start
     * @param length    how many bytes to copy
     * @throws IndexOutOfBoundsException if either range is out of bounds
     */
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        checkRange(offset, length);
        BulkCopy.toArray(segment, offset, dst, dstOffset, length);
    }

    /**
     * Fills {@code dst} from the region at {@code offset}.
     *
     * @param offset where in the region to start
     * @param dst    where to copy to, all of it
     */
    public void read(long offset, MemorySegment dst) {
        checkRange(offset, dst.byteSize());
        BulkCopy.copy(segment, offset, dst, 0, dst.byteSize());
    }

    /**
     * Copies {@code length} bytes of the region from {@code offset} into {@code dst} at {@code dstOffset}.
     *
     * @param offset    where in the region to start
     * @param dst       where to copy to
     * @param dstOffset where in {@code dst} to start
     * @param length    how many bytes to copy
     * @throws IndexOutOfBoundsException if either range is out of bounds
     */
    public void read(long offset, MemorySegment dst, long dstOffset, long length) {
        Objects.checkFromIndexSize(dstOffset, length, dst.byteSize());
        checkRange(offset, length);
        BulkCopy.copy(segment, offset, dst, dstOffset, length);
    }

    /**
     * Fills {@code dst}'s remaining bytes from the region at {@code offset} and advances its position.
     *
     * @param offset where in the region to start
     * @param dst    where to copy to: its remaining bytes
     */
    public void read(long offset, ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read: dst is a read-only buffer");
        }
        int length = dst.remaining();
        checkRange(offset, length);
        if (dst.hasArray()) {
            BulkCopy.toArray(segment, offset, dst.array(), dst.arrayOffset() + dst.position(), length);
        } else {
            BulkCopy.copy(segment, offset, MemorySegment.ofBuffer(dst), 0, length);
        }
        dst.position(dst.position() + length);
    }

    private void checkRange(long offset, long length) {
        ensureOpen();
        Objects.checkFromIndexSize(offset, length, size);
    }

    private void ensureOpen() {
        if (mapping.closed.get()) {
            throw new IllegalStateException("the DMA region is closed");
        }
    }

    /**
     * A new allocator that hands out aligned slices of this region, for packing many small buffers and
     * sending the host one physical address.
     *
     * @return a new allocator, starting at the region's first byte
     */
    public StagingAllocator stagingAllocator() {
        ensureOpen();
        return new StagingAllocator(this);
    }

    // ---- closing --------------------------------------------------------------------------------------

    /**
     * Unmaps the region. Every later access to {@link #segment()} throws {@link IllegalStateException}. The
     * driver frees the memory when the pipe is closed too. Idempotent.
     *
     * @throws IllegalStateException if the memory is still held by a native call (a downcall given the segment)
     *                               after waiting for it a while
     */
    @Override
    public void close() {
        mapping.close();
        cleanable.clean();
    }

    @Override
    public String toString() {
        long address = physicalAddress;
        return "DmaRegion[size=" + size + (address != 0 ? ", phys=0x" + Long.toHexString(address) : "")
                + (isOpen() ? "" : ", closed") + "]";
    }

    /**
     * The mapping and its arena, apart from the region so that the {@link Cleaner} can unmap a leaked region.
     * The arena is closed before munmap, so the segment is unusable before its memory goes away.
     */
    private static final class Mapping {
        private static final long CLOSE_PATIENCE_NANOS = 2_000_000_000L;

        final Arena arena = Arena.ofShared();
        final MemorySegment segment;
        final AtomicBoolean closed = new AtomicBoolean();
        private final String description;

        Mapping(MemorySegment address, long size, String description) {
            this.description = description;
            this.segment = address.reinterpret(size, arena, mapped -> unmap(mapped, size));
        }

        private void unmap(MemorySegment mapped, long size) {
            try {
                DeviceCalls.unmap(mapped, size, description);
            } catch (DeviceException e) {
                report(System.Logger.Level.ERROR, "unmapping the DMA region of " + description + ": "
                        + e.getMessage());
            }
        }

        void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            // A copy in progress on another thread finishes first; a downcall holding the segment may take longer.
            long deadline = System.nanoTime() + CLOSE_PATIENCE_NANOS;
            while (true) {
                try {
                    arena.close();
                    return;
                } catch (IllegalStateException e) {
                    if (System.nanoTime() - deadline > 0) {
                        closed.set(false);
                        throw new IllegalStateException("the DMA region of " + description
                                + " is still in use by a native call; close it when that call has returned", e);
                    }
                    Thread.onSpinWait();
                    Thread.yield();
                }
            }
        }

        /**
         * The Cleaner's action for a region never closed: unmaps first and reports after, and never throws, so
         * that a failing logger (as when descriptors have run out) cannot keep the memory mapped.
         */
        void leaked() {
            if (closed.get()) {
                return;
            }
            String outcome;
            try {
                close();
                outcome = "it was unmapped when it became unreachable";
            } catch (RuntimeException e) {
                outcome = "it could not be unmapped: " + e.getMessage();
            }
            report(System.Logger.Level.WARNING, "a DMA region of " + description + " was not closed; " + outcome
                    + ". Close regions and pipes with try-with-resources.");
        }

        private static void report(System.Logger.Level level, String message) {
            try {
                LOG.log(level, message);
            } catch (Throwable ignored) {
                // the message is lost; the region's fate does not depend on it
            }
        }
    }
}
