package dev.goldfishdma.emulator.model;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The memory behind one pipe's DMA region: an anonymous in-memory file ({@code memfd_create}), empty until
 * CREATE_REGION gives it the region's size, then mapped shared into the emulator, where the host reads and
 * writes the region in place.
 *
 * <p>How the guest's mapping of the region reaches this file is the transport's choice: the kernel can map
 * the file itself into the guest (FUSE passthrough: both sides address the same pages), or fill the device
 * file's page cache from it and write that page cache back into it. Either way the file's pages are
 * allocated only as they are first touched, like any memfd, and a touch past its size is SIGBUS.
 *
 * <p>Created with the first pipe opened on a device inode ({@link #create}); a pipe opened again on the same
 * inode (through {@code /proc/self/fd/N}) shares it ({@link #retain()}), since the kernel gives an inode one
 * mapping, whichever of its open files maps it. Sized and mapped once ({@link #allocate}), by the first
 * CREATE_REGION of those pipes; closed when the last of them lets go ({@link #close()}), after its region.
 * The emulator's view is a segment of a shared arena: once closed, a late access throws
 * {@link IllegalStateException} instead of touching unmapped memory.
 */
public final class RegionFile {
    private final int fd;
    private Arena arena;
    private MemorySegment view;
    private long size;
    private EmulatedRegion region;
    private int holders = 1;
    private boolean closed;

    private RegionFile(int fd) {
        this.fd = fd;
    }

    /**
     * A new empty file for pipe {@code pipeId} (the number names it in {@code /proc/<pid>/maps}), held by
     * that pipe.
     *
     * @throws ErrnoException e.g. {@code EMFILE} when the emulator is out of descriptors
     */
    static RegionFile create(long pipeId) throws ErrnoException {
        return new RegionFile(Libc.memfdCreate("goldfish-dma-region-" + pipeId, LibcConstants.MFD_CLOEXEC()));
    }

    /** The file's descriptor, valid until its last holder {@link #close() closes} it; the transport hands it to the kernel. */
    public int fd() {
        return fd;
    }

    /**
     * Gives the file {@code size} bytes ({@code ftruncate}: no memory is committed yet) and maps it shared
     * into the emulator. Called once, at CREATE_REGION.
     *
     * @return the emulator's view of the whole file
     * @throws ErrnoException {@code ENOMEM} and the like when the file cannot grow or be mapped
     */
    synchronized MemorySegment allocate(long size) throws ErrnoException {
        if (closed || view != null) {
            throw new IllegalStateException(closed ? "region file closed" : "region file already allocated");
        }
        Libc.ftruncate(fd, size);
        MemorySegment address = Libc.mmap(size, MmapFlags.PROT_READ | MmapFlags.PROT_WRITE, MmapFlags.MAP_SHARED,
                fd, 0);
        Arena shared = Arena.ofShared();
        view = address.reinterpret(size, shared, mapping -> unmap(mapping, size));
        arena = shared;
        this.size = size;
        return view;
    }

    /** The file's region, once made: its pipe calls this right after {@link #allocate}. */
    synchronized void holds(EmulatedRegion region) {
        this.region = region;
    }

    /**
     * The region that lives in the file, whichever of the pipes sharing it made it: what a mapping of the
     * inode through any of them shows. Null before CREATE_REGION; retired once its pipe is released.
     *
     * @return the region, or null
     */
    public synchronized EmulatedRegion region() {
        return region;
    }

    /** Whether {@link #allocate} gave the file its size: a region lives, or lived, in it. */
    synchronized boolean allocated() {
        return size != 0;
    }

    /** The size {@link #allocate} gave the file, 0 before. */
    synchronized long size() {
        return size;
    }

    /**
     * One more holder: another pipe opened on the same inode.
     *
     * @return false when the file is closed already (its last holder let go); it is not held then
     */
    synchronized boolean retain() {
        if (closed) {
            return false;
        }
        holders++;
        return true;
    }

    /** The emulator's view of the file, or null before {@link #allocate} and after {@link #close()}. */
    synchronized MemorySegment view() {
        return view;
    }

    /** One holder lets go; the last unmaps the emulator's view and closes the descriptor. */
    synchronized void close() {
        if (closed || --holders > 0) {
            return;
        }
        closed = true;
        if (arena != null) {
            arena.close(); // unmaps, see unmap()
            arena = null;
            view = null;
        }
        try {
            Libc.close(fd);
        } catch (ErrnoException e) {
            // Nothing to do about a failed close of a descriptor nobody else has.
        }
    }

    private static void unmap(MemorySegment mapping, long size) {
        try {
            Libc.munmap(mapping, size);
        } catch (ErrnoException e) {
            // munmap of a mapping this class made cannot fail but for a bug; nothing to do about it here.
        }
    }
}
