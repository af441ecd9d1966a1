package dev.goldfishdma.transfer;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/** What {@link TransferPipeline} sends: the input, read piece by piece into a region's memory. */
@FunctionalInterface
public interface TransferSource {
    /**
     * Fills {@code dst}, a part of a region's memory, from its start with the next bytes of the input, as many
     * as there are up to its size.
     *
     * @param dst  where the bytes go
     * @param done how many bytes were read before
     * @return the bytes read; less than {@code dst}'s size only at the end of the input
     * @throws IOException if the input cannot be read
     */
    int read(MemorySegment dst, long done) throws IOException;
}
