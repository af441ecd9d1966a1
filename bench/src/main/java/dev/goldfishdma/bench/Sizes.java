package dev.goldfishdma.bench;

import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.libc.Libc;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** The sizes the benchmarks share. */
final class Sizes {
    /** The region every transfer benchmark moves: the guest library's DMA buffer, 32 MiB. */
    static final int REGION = GoldfishDma.GOLDFISH_DMA_BUFFER_SIZE();

    private Sizes() {
    }

    /**
     * Writes one byte in every page of {@code segment}, so that page faults (a round trip to the server on the
     * emulated device) happen in setup and not in the timed part.
     */
    static void touchEveryPage(MemorySegment segment) {
        for (long offset = 0; offset < segment.byteSize(); offset += Libc.PAGE_SIZE) {
            segment.set(JAVA_BYTE, offset, (byte) offset);
        }
    }
}
