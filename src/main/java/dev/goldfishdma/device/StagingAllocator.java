package dev.goldfishdma.device;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * Hands out aligned slices of a {@link DmaRegion}, front to back, for the "pack many small buffers, send one
 * physical address" pattern; {@link #reset()} starts over for the next transfer.
 *
 * {@snippet :
 * StagingAllocator staging = region.stagingAllocator();
 * MemorySegment header = staging.allocate(64, 8);
 * MemorySegment payload = staging.allocate(4096, 64);
 * // fill both, then tell the host region.physicalAddress() + staging.offsetOf(header), staging.used() bytes
 * staging.reset();
 * }
 *
 * <p>Not thread-safe: one allocator per thread or transfer. Slices stay valid until the region closes;
 * after {@link #reset()} the next allocations reuse their memory.
 */
public final class StagingAllocator implements SegmentAllocator {
    private final DmaRegion region;
    private final MemorySegment segment;
    private long used;

    StagingAllocator(DmaRegion region) {
        this.region = region;
        this.segment = region.segment();
    }

    /**
     * The next {@code byteSize} bytes aligned to {@code byteAlignment}. Not cleared: they hold whatever the
     * region held, so write every byte that is sent.
     *
     * @throws IllegalArgumentException  if the size is negative or the alignment not a power of two
     * @throws IndexOutOfBoundsException if the region has no room left for it
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative size: " + byteSize);
        }
        if (byteAlignment <= 0 || Long.bitCount(byteAlignment) != 1) {
            throw new IllegalArgumentException("alignment is not a power of two: " + byteAlignment);
        }
        long start = (segment.address() + used + byteAlignment - 1 & -byteAlignment) - segment.address();
        if (start > segment.byteSize() || byteSize > segment.byteSize() - start) {
            throw new IndexOutOfBoundsException("staging area of " + segment.byteSize() + " bytes is full: " + used
                    + " used, " + byteSize + " more asked with alignment " + byteAlignment);
        }
        MemorySegment slice = segment.asSlice(start, byteSize);
        used = start + byteSize;
        return slice;
    }

    /**
     * {@return the offset of {@code slice} in the region}
     *
     * @param slice a segment handed out by this allocator
     * @throws IllegalArgumentException if {@code slice} is not native memory lying wholly inside the region
     */
    public long offsetOf(MemorySegment slice) {
        // Compared without any sum that could overflow: a huge slice must not wrap around into range.
        long offset = slice.address() - segment.address();
        if (!slice.isNative() || slice.address() < segment.address() || offset > segment.byteSize()
                || slice.byteSize() > segment.byteSize() - offset) {
            throw new IllegalArgumentException("offsetOf: the segment (address 0x" + Long.toHexString(slice.address())
                    + ", " + slice.byteSize() + " bytes" + (slice.isNative() ? "" : ", heap") + ") is not part of this "
                    + "region (address 0x" + Long.toHexString(segment.address()) + ", " + segment.byteSize()
                    + " bytes)");
        }
        return offset;
    }

    /**
     * {@return the physical address of {@code slice}, for the host}
     *
     * @param slice a segment handed out by this allocator
     * @throws IOException              if the driver cannot say where the region is
     * @throws IllegalArgumentException if {@code slice} is not part of the region, or its address does not fit
     *                                  in 64 bits
     */
    public long physicalAddressOf(MemorySegment slice) throws IOException {
        long offset = offsetOf(slice);
        long base = region.physicalAddress();
        if (base > Long.MAX_VALUE - offset) {
            throw new IllegalArgumentException("physicalAddressOf: 0x" + Long.toHexString(base) + " + " + offset
                    + " does not fit in 64 bits");
        }
        return base + offset;
    }

    /** {@return bytes handed out since the last reset, alignment padding included} */
    public long used() {
        return used;
    }

    /** {@return bytes still free (before alignment)} */
    public long remaining() {
        return segment.byteSize() - used;
    }

    /** Starts over at the beginning of the region. */
    public void reset() {
        used = 0;
    }
}
