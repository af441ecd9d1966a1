package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.EmulatedPipe;
import dev.goldfishdma.emulator.model.EmulatedRegion;
import dev.goldfishdma.emulator.model.RegionTable;
import dev.goldfishdma.emulator.service.RegionMemory;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * How the regions' memory reaches the guest's mappings over FUSE: one of the two memory models,
 * {@link PassthroughMemory} or {@link PageCacheMemory}, chosen once when the connection is initialized (see
 * {@link FuseServer.Passthrough}). Each region's memory is its pipe's {@link dev.goldfishdma.emulator.model.RegionFile}
 * in both; they differ in how the guest's mapping gets to it, and so in what OPEN answers, what page faults
 * and writeback the kernel sends, and how the host reaches the live bytes ({@link RegionMemory}).
 *
 * <p>The hooks below are called on the request thread; the host's side ({@link #of(long)}) on the services'
 * threads. The host reaches regions only through {@link #of(long)}, one uid's at a time: a region of another
 * uid is not found ({@link RegionTable#lookup(long, long)}).
 */
abstract sealed class RegionSharing permits PassthroughMemory, PageCacheMemory {
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

    /**
     * The host's access to the regions of {@code uid}: what the services of that uid's pipes get. Any other
     * address, another user's region included, is unknown to it (EINVAL, size -1), as a free address is.
     */
    final RegionMemory of(long uid) {
        return new RegionMemory() {
            @Override
            public long regionSize(long phys) {
                EmulatedRegion region = regions.lookup(phys, uid);
                return region == null ? -1 : region.size();
            }

            @Override
            public int read(long phys, long offset, MemorySegment dst) {
                return RegionSharing.this.read(uid, phys, offset, dst);
            }

            @Override
            public int write(long phys, long offset, MemorySegment src) {
                return RegionSharing.this.write(uid, phys, offset, src);
            }

            @Override
            public int scan(long phys, long offset, long length, Consumer<MemorySegment> reader) {
                return RegionSharing.this.scan(uid, phys, offset, length, reader);
            }
        };
    }

    /** {@link RegionMemory#read} of the regions of {@code uid}. */
    abstract int read(long uid, long phys, long offset, MemorySegment dst);

    /** {@link RegionMemory#write} of the regions of {@code uid}. */
    abstract int write(long uid, long phys, long offset, MemorySegment src);

    /** {@link RegionMemory#scan} of the regions of {@code uid}. */
    abstract int scan(long uid, long phys, long offset, long length, Consumer<MemorySegment> reader);

    /** Work on the memory of a live region; returns 0 or an errno. */
    interface RegionAccess {
        int apply(EmulatedRegion region, MemorySegment memory);
    }

    /**
     * Runs {@code access} on the region at {@code phys} while holding its memory, if the region is live,
     * belongs to {@code uid} and {@code [offset, offset + length)} lies within it; EINVAL otherwise.
     */
    final int withRegion(long uid, long phys, long offset, long length, RegionAccess access) {
        EmulatedRegion region = regions.lookup(phys, uid);
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
