package dev.goldfishdma.cli;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The ceiling a transfer is measured against: producing the same input into memory, with no device and no
 * checksum, in the pieces the transfer reads it in (for a file: read(2) into one buffer of the region's size,
 * as the transfer reads into a region). Only an input that can be read again has one.
 */
final class TransferBaseline {
    private static final long PIECE = 256 * 1024;

    private TransferBaseline() {
    }

    /**
     * How long one pass over all of {@code input}, from its start, takes into a buffer of {@code bufferSize}
     * bytes; the input is left at its start again.
     */
    static long nanos(TransferInput input, long bufferSize) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(bufferSize, 4096);
            buffer.fill((byte) 0); // its pages exist before the clock starts, as a prefaulted region's do
            input.rewind();
            long start = System.nanoTime();
            long done = 0;
            while (true) {
                long at = done % bufferSize;
                MemorySegment piece = buffer.asSlice(at, Math.min(PIECE, bufferSize - at));
                int got = input.read(piece, done);
                done += got;
                if (got < piece.byteSize()) {
                    break;
                }
            }
            long nanos = System.nanoTime() - start;
            input.rewind();
            return nanos;
        }
    }
}
