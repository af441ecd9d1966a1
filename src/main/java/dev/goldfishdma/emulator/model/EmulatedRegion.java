package dev.goldfishdma.emulator.model;

import dev.goldfishdma.device.DriverRules;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One pipe's DMA region: its size, the fake guest physical address it is given, and its memory as the
 * emulator holds it.
 *
 * <p>Like the driver's coherent memory, the memory is allocated lazily, and that is also when the region
 * gets its physical address: at the first touch of a mapping ({@link #ensureAllocated()}), which is the
 * first time the emulator hears of one (a FUSE server is not told about mmap itself). Until then GETOFF
 * reports address 0. How the memory reaches the guest's mapping is the memory model's business (see the
 * package documentation).
 *
 * <p>Threads other than the request thread use the memory between {@link #acquire()} and {@link #release()},
 * so that it is freed only once the pipe is gone and nobody is using it.
 */
public final class EmulatedRegion {
    private final long size;
    private final long pipeId;
    private final long inode;
    private final RegionTable table;

    private long phys;
    private Arena arena;
    private MemorySegment memory;
    private int users;
    private boolean retired;

    EmulatedRegion(long size, long pipeId, long inode, RegionTable table) {
        this.size = size;
        this.pipeId = pipeId;
        this.inode = inode;
        this.table = table;
    }

    /** The size CREATE_REGION gave it. */
    public long size() {
        return size;
    }

    /** The pipe it belongs to. */
    public long pipeId() {
        return pipeId;
    }

    /** The inode of the device file its pipe was opened on, where the guest's mapping of it lives. */
    public long inode() {
        return inode;
    }

    /** The fake physical address, 0 until the memory is allocated. */
    public synchronized long phys() {
        return phys;
    }

    /**
     * The region's memory. The first call allocates it and gives the region its physical address, under
     * which the host finds it from then on; later calls return the same memory.
     *
     * @return the memory, or null once the region is retired
     * @throws OutOfMemoryError when the memory cannot be allocated
     */
    public synchronized MemorySegment ensureAllocated() {
        if (retired) {
            return null;
        }
        if (memory == null) {
            Arena newArena = Arena.ofShared();
            try {
                memory = newArena.allocate(size, DriverRules.pageSize());
            } catch (OutOfMemoryError e) {
                newArena.close();
                throw e;
            }
            arena = newArena;
            phys = table.allocatePhys(size);
            table.register(phys, this);
        }
        return memory;
    }

    /**
     * Starts a use of the memory by a thread other than the request thread.
     *
     * @return the memory, or null when it is not allocated or the region is retired (then do not call
     *         {@link #release()})
     */
    public synchronized MemorySegment acquire() {
        if (retired || memory == null) {
            return null;
        }
        users++;
        return memory;
    }

    /** Ends a use started by a successful {@link #acquire()}. */
    public synchronized void release() {
        users--;
        freeIfUnused();
    }

    /** The pipe is gone: forget the physical address and free the memory once the last user lets go. */
    synchronized void retire() {
        if (retired) {
            return;
        }
        retired = true;
        if (phys != 0) {
            table.unregister(phys, this);
        }
        freeIfUnused();
    }

    private void freeIfUnused() {
        if (retired && users == 0 && arena != null) {
            arena.close();
            arena = null;
            memory = null;
        }
    }
}
