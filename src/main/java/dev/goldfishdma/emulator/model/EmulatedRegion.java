package dev.goldfishdma.emulator.model;

import java.lang.foreign.MemorySegment;

/**
 * One pipe's DMA region: its size, the fake guest physical address it is given, and its memory, a
 * {@link RegionFile} the emulator has mapped.
 *
 * <p>The memory exists from CREATE_REGION on (the file is sized then; its pages are committed as they are
 * first touched, by either side). The physical address, under which the host finds the region, is given as
 * the driver gives it: once the region is mapped ({@link #assignPhys()}, which GETOFF calls when the caller
 * has the region mapped; a FUSE server is not told of mmap itself); until then GETOFF reports 0.
 *
 * <p>The request thread, which also handles RELEASE, uses the memory through {@link #memory()}; other
 * threads (host services) between {@link #acquire()} and {@link #release()}, so that the file is closed only
 * once the pipe is gone and nobody is using it.
 */
public final class EmulatedRegion {
    private final long size;
    private final long owner;
    private final long pipeId;
    private final long inode;
    private final RegionFile file;
    private final RegionTable table;

    private long phys;
    private MemorySegment memory;
    private int users;
    private boolean retired;

    /** A region of {@code owner} over {@code file}, already allocated as {@code memory}, without an address yet. */
    EmulatedRegion(long size, long owner, long pipeId, long inode, RegionFile file, MemorySegment memory,
                   RegionTable table) {
        this.size = size;
        this.owner = owner;
        this.pipeId = pipeId;
        this.inode = inode;
        this.file = file;
        this.memory = memory;
        this.table = table;
    }

    /** The size CREATE_REGION gave it. */
    public long size() {
        return size;
    }

    /** The uid it belongs to: its pipe's {@linkplain EmulatedPipe#owner() owner}; only that uid finds it by address. */
    public long owner() {
        return owner;
    }

    /** The pipe it belongs to. */
    public long pipeId() {
        return pipeId;
    }

    /** The inode of the device file its pipe was opened on, where the guest maps it. */
    public long inode() {
        return inode;
    }

    /** The fake physical address the host knows it by, 0 until {@link #assignPhys()}. */
    public synchronized long phys() {
        return phys;
    }

    /**
     * Gives the region its physical address, under which the host finds it from then on, unless it has one
     * or is retired: the region has been mapped.
     *
     * @return the physical address, 0 once retired
     */
    synchronized long assignPhys() {
        if (phys == 0 && !retired) {
            phys = table.allocatePhys(size);
            table.register(phys, this);
        }
        return phys;
    }

    /**
     * The region's memory, for the request thread (which also retires the region, so it never sees the
     * memory go away under it).
     *
     * @return the emulator's view of the region's file, or null once the region is retired
     */
    public synchronized MemorySegment memory() {
        return retired ? null : memory;
    }

    /**
     * Starts a use of the memory by a thread other than the request thread.
     *
     * @return the memory, or null when the region is retired (then do not call {@link #release()})
     */
    public synchronized MemorySegment acquire() {
        if (retired) {
            return null;
        }
        users++;
        return memory;
    }

    /** Ends a use started by a successful {@link #acquire()}. */
    public synchronized void release() {
        users--;
        closeIfUnused();
    }

    /** The pipe is gone: forget the physical address, and close the file once the last user lets go. */
    synchronized void retire() {
        if (retired) {
            return;
        }
        retired = true;
        if (phys != 0) {
            table.unregister(phys, this);
        }
        closeIfUnused();
    }

    private void closeIfUnused() {
        if (retired && users == 0 && memory != null) {
            memory = null;
            file.close();
        }
    }
}
