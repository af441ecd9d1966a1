package dev.goldfishdma.emulator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The server's side of one pipe's DMA region: its size, the fake guest physical address it was given, and
 * the server's copy of its bytes.
 *
 * <p>The copy is what page faults of the guest's mapping are filled from and what the kernel writes dirty
 * pages back to; the live bytes are in the kernel's page cache, which {@link HostMemory} reaches with
 * NOTIFY_RETRIEVE and NOTIFY_STORE. Like the driver's coherent memory, the copy is allocated lazily: at the
 * first page-cache READ, which is the first touch of a mapping (the kernel does not tell a FUSE server about
 * mmap itself), and that is also when the region gets its physical address.
 *
 * <p>Threads other than the request thread use the copy between {@link #acquire()} and {@link #release()},
 * so that the memory is freed only once the pipe is gone and nobody is using it.
 */
final class EmulatedRegion {
    private final long size;
    private final long pipeId;
    private final long nodeId;

    private long phys;
    private Arena arena;
    private MemorySegment copy;
    private int users;
    private boolean retired;

    EmulatedRegion(long size, long pipeId, long nodeId) {
        this.size = size;
        this.pipeId = pipeId;
        this.nodeId = nodeId;
    }

    long size() {
        return size;
    }

    long pipeId() {
        return pipeId;
    }

    /** The FUSE node whose page cache holds the guest's mapping of this region. */
    long nodeId() {
        return nodeId;
    }

    /** The fake physical address, 0 until the first touch of a mapping. */
    synchronized long phys() {
        return phys;
    }

    /**
     * The server's copy, allocating it and assigning the physical address on first use.
     *
     * @return the copy, or null once the region is retired
     * @throws OutOfMemoryError when the copy cannot be allocated
     */
    synchronized MemorySegment touch(RegionTable table) {
        if (retired) {
            return null;
        }
        if (copy == null) {
            Arena newArena = Arena.ofShared();
            try {
                copy = newArena.allocate(size, dev.goldfishdma.libc.Libc.PAGE_SIZE);
            } catch (OutOfMemoryError e) {
                newArena.close();
                throw e;
            }
            arena = newArena;
            phys = table.allocatePhys(size);
            table.register(phys, this);
        }
        return copy;
    }

    /**
     * Starts a use of the copy by a thread other than the request thread.
     *
     * @return the copy, or null when the region is untouched or retired (then do not call {@link #release()})
     */
    synchronized MemorySegment acquire() {
        if (retired || copy == null) {
            return null;
        }
        users++;
        return copy;
    }

    /** Ends a use started by a successful {@link #acquire()}. */
    synchronized void release() {
        users--;
        freeIfUnused();
    }

    /** The pipe is gone: forget the physical address and free the copy once the last user lets go. */
    synchronized void retire(RegionTable table) {
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
            copy = null;
        }
    }
}
