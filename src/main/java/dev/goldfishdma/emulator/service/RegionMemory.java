package dev.goldfishdma.emulator.service;

import dev.goldfishdma.libc.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * The guest's live DMA regions as the host sees them, looked up by guest physical address as the real host
 * does: what the guest wrote into its mapping can be read, and what is written here the guest's mapping
 * shows, without the guest calling msync or anything else. One user's regions only: a service gets the
 * regions of the uid that opened its pipe, and any other address, another user's region included, is
 * unknown (EINVAL, size -1), exactly as a free address is.
 *
 * <p>This is all a service knows of memory. How the region's bytes are shared with the guest's mapping is
 * the implementation's business (the very pages the guest maps, or the kernel's page cache of the device
 * file reached through the FUSE connection), and so is cutting large copies into the pieces the
 * implementation can move at once.
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

    /**
     * Hands the {@code length} bytes at {@code offset} of the region at {@code phys}, as the guest's mapping
     * holds them now, to {@code reader}, in order, as read-only views valid only during each call: for work
     * that reads the bytes once (a checksum) without wanting a copy of its own. Where the memory is shared
     * with the guest, the one view is that memory itself; otherwise the views are copies of at most
     * {@value #SCAN_CHUNK} bytes.
     *
     * @param phys   the region's guest physical address
     * @param offset where in the region to start
     * @param length how many bytes to hand over
     * @param reader takes each view in turn
     * @return 0, or a positive errno as {@link #read} answers
     */
    default int scan(long phys, long offset, long length, Consumer<MemorySegment> reader) {
        if (length < 0) {
            return Errno.EINVAL;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = arena.allocate(Math.min(SCAN_CHUNK, Math.max(length, 1)));
            for (long done = 0; done < length; ) {
                long n = Math.min(chunk.byteSize(), length - done);
                MemorySegment piece = chunk.asSlice(0, n);
                int errno = read(phys, offset + done, piece);
                if (errno != 0) {
                    return errno;
                }
                reader.accept(piece.asReadOnly());
                done += n;
            }
        }
        return 0;
    }

    /** The largest piece {@link #scan} hands over when it copies: 1 MiB. */
    long SCAN_CHUNK = 1 << 20;
}
