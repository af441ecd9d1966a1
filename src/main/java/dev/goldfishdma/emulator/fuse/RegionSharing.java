package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.EmulatedPipe;
import dev.goldfishdma.emulator.model.EmulatedRegion;
import dev.goldfishdma.emulator.model.RegionTable;
import dev.goldfishdma.emulator.service.RegionMemory;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;

import java.lang.foreign.MemorySegment;

/**
 * How the regions' memory reaches the guest's mappings over FUSE: one of the two memory models,
 * {@link PassthroughMemory} or {@link PageCacheMemory}, chosen once when the connection is initialized (see
 * {@link FuseServer.Passthrough}). Each region's memory is its pipe's {@link dev.goldfishdma.emulator.model.RegionFile}
 * in both; they differ in how the guest's mapping gets to it, and so in what OPEN answers, what page faults
 * and writeback the kernel sends, and how the host reaches the live bytes ({@link RegionMemory}).
 *
 * <p>The hooks below are called on the request thread; the {@link RegionMemory} methods on the services'
 * threads.
 */
abstract sealed class RegionSharing implements RegionMemory permits PassthroughMemory, PageCacheMemory {
    final FuseConnection connection;
    final RegionTable regions;

    RegionSharing(FuseConnection connection, RegionTable regions) {
        this.connection = connection;
        this.regions = regions;
    }

    /**
     * The status file's {@code memory} line after the word {@code memory}: the model's name,
     * {@code passthrough} or {@code page-cache} (the names of the emulator's memory modes), and why when
     * useful.
     */
    abstract String describe();

    /** The FOPEN_* flags an OPEN of the device is answered with. */
    abstract int openFlags();

    /**
     * The device was opened as pipe {@code handle}: set up what the OPEN answer needs.
     *
     * @return the backing id to answer the OPEN with, 0 for none
     * @throws ErrnoException when the pipe's memory cannot be made available; the OPEN fails with it
     */
    abstract int opened(long handle, EmulatedPipe pipe) throws ErrnoException;

    /** Pipe {@code handle} is gone (RELEASE, or its OPEN answer was refused): undo {@link #opened}. */
    abstract void released(long handle);

    /** A READ without the lock-owner flag: the guest touched a page of its mapping that is not cached. */
    abstract FuseReply pageFault(EmulatedPipe pipe, long offset, int size);

    /** A WRITE with FUSE_WRITE_CACHE: the kernel writes dirty pages of the mapping back. */
    abstract void writeBack(EmulatedPipe pipe, long offset, MemorySegment data, long sequence);

    /**
     * CREATE_REGION succeeded on {@code pipe}: the answer to request {@code unique}, now or
     * {@link FuseReply#LATER} (then this sends it, {@code fuse_ioctl_out} with nothing copied back).
     */
    abstract FuseReply regionCreated(long unique, EmulatedPipe pipe, MemorySegment ioctlOut);

    /** NOTIFY_REPLY: the kernel answers a retrieve. */
    abstract FuseReply onRetrieveReply(FuseRequest request);

    /** The server stops: end any thread of the model's own. */
    void close() {
    }

    // ---- the host's side: what both models share ---------------------------------------------------------

    @Override
    public long regionSize(long phys) {
        EmulatedRegion region = regions.lookup(phys);
        return region == null ? -1 : region.size();
    }

    /** Work on the memory of a live region; returns 0 or an errno. */
    interface RegionAccess {
        int apply(EmulatedRegion region, MemorySegment memory);
    }

    /**
     * Runs {@code access} on the region at {@code phys} while holding its memory, if the region is live and
     * {@code [offset, offset + length)} lies within it; EINVAL otherwise.
     */
    final int withRegion(long phys, long offset, long length, RegionAccess access) {
        EmulatedRegion region = regions.lookup(phys);
        if (region == null) {
            return Errno.EINVAL;
        }
        MemorySegment memory = region.acquire();
        if (memory == null) {
            return Errno.EINVAL;
        }
        try {
            boolean inRange = offset >= 0 && length >= 0 && offset <= region.size() && length <= region.size() - offset;
            return inRange ? access.apply(region, memory) : Errno.EINVAL;
        } finally {
            region.release();
        }
    }
}
