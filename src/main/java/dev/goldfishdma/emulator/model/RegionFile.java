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
 * <p>Created with its pipe ({@link #create}), sized and mapped once ({@link #allocate}), closed with the
 * pipe's region. The emulator's view is a segment of a shared arena: once closed, a late access throws
 * {@link IllegalStateException} instead of touching unmapped memory.
 */
public final class RegionFile {
    private final int fd;
    private Arena arena;
    private MemorySegment view;
    private boolean closed;

    private RegionFile(int fd) {
        this.fd = fd;
    }

    /**
     * A new empty file for pipe {@code pipeId} (the number names it in {@code /proc/<pid>/maps}).
     *
     * @throws ErrnoException e.g. {@code EMFILE} when the emulator is out of descriptors
     */
    static RegionFile create(long pipeId) throws ErrnoException {
        return new RegionFile(Libc.memfdCreate("goldfish-dma-region-" + pipeId, LibcConstants.MFD_CLOEXEC()));
    }

    /** The file's descriptor, valid until {@link #close()}; the transport hands it to the kernel. */
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
        return view;
    }

    /** The emulator's view of the file, or null before {@link #allocate} and after {@link #close()}. */
    synchronized MemorySegment view() {
        return view;
    }

    /** Unmaps the emulator's view and closes the descriptor. Idempotent. */
    synchronized void close() {
        if (closed) {
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
