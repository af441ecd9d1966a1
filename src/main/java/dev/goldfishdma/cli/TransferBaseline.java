package dev.goldfishdma.cli;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The ceiling a transfer is measured against: producing the same input into memory, with no device and no
 * checksum, in the pieces the transfer reads it in (for a file: read(2) into one buffer of the region's size,
 * as the transfer reads into a region).
 */
final class TransferBaseline {
    private static final long PIECE = 256 * 1024;

    private TransferBaseline() {
    }

    /** How long one pass over all of {@code input} takes, into a buffer of {@code bufferSize} bytes. */
    static long nanos(TransferInput input, long bufferSize) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(bufferSize, 4096);
            buffer.fill((byte) 0); // its pages exist before the clock starts, as a prefaulted region's do
            input.rewind();
            long total = input.length();
            long start = System.nanoTime();
            for (long done = 0; done < total; ) {
                long at = done % bufferSize;
                long n = Math.min(Math.min(PIECE, total - done), bufferSize - at);
                input.next(buffer.asSlice(at, n));
                done += n;
            }
            return System.nanoTime() - start;
        }
    }
}
