package dev.goldfishdma.emulator.model;

import java.lang.foreign.MemorySegment;

/**
 * What a DMA ioctl answers: success with the bytes to copy back to the caller's argument (none for most
 * requests), or a positive errno.
 *
 * @param errno 0 for success
 * @param out   the bytes to copy out; empty when there are none or on failure
 */
public record IoctlResult(int errno, MemorySegment out) {
    private static final IoctlResult OK = new IoctlResult(0, MemorySegment.NULL);

    /** Success, nothing to copy out. */
    static IoctlResult ok() {
        return OK;
    }

    /** Success, with {@code out} to copy out. */
    static IoctlResult ok(MemorySegment out) {
        return new IoctlResult(0, out);
    }

    /** Failure with {@code errno}. */
    static IoctlResult failed(int errno) {
        return new IoctlResult(errno, MemorySegment.NULL);
    }
}
