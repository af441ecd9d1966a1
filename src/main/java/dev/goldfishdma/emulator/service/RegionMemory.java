package dev.goldfishdma.emulator.service;

import java.lang.foreign.MemorySegment;

/**
 * The guest's live DMA regions as the host sees them, looked up by guest physical address as the real host
 * does: what the guest wrote into its mapping can be read, and what is written here the guest's mapping
 * shows, without the guest calling msync or anything else.
 *
 * <p>This is all a service knows of memory. How the region's bytes are shared with the guest's mapping is
 * the implementation's business (today the kernel's page cache of the device file, reached through the FUSE
 * connection), and so is cutting large copies into the pieces the implementation can move at once.
 *
 * <p>Reads and writes may wait for the emulator's request thread; they must therefore never be called on it
 * (for instance from {@link HostService.Session#onGuestWrite}), only from threads of the service's own.
 */
public interface RegionMemory {

    /**
     * {@return the size of the live region at guest physical address {@code phys}, or -1 if there is none}
     *
     * @param phys a guest physical address, as the guest's GETOFF reports it
     */
    long regionSize(long phys);

    /**
     * Copies {@code dst.byteSize()} bytes at {@code offset} of the region at {@code phys} into {@code dst},
     * as the guest's mapping holds them now.
     *
     * @param phys   the region's guest physical address
     * @param offset where in the region to start
     * @param dst    where to copy to; its size is the length
     * @return 0, or a positive errno: EINVAL for an unknown address or a range outside the region, EIO when
     *         the memory could not be read
     */
    int read(long phys, long offset, MemorySegment dst);

    /**
     * Writes {@code src} at {@code offset} of the region at {@code phys}, so that the guest's mapping shows
     * it at once.
     *
     * @param phys   the region's guest physical address
     * @param offset where in the region to start
     * @param src    what to write; its size is the length
     * @return 0, or a positive errno: EINVAL for an unknown address or a range outside the region, EIO when
     *         the memory could not be written
     */
    int write(long phys, long offset, MemorySegment src);
}
