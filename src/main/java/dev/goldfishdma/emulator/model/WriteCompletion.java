package dev.goldfishdma.emulator.model;

/**
 * How a parked guest write is answered once the pipe has room, or ends, from whichever thread brings it.
 * Exactly one of the methods is called, once, unless the write is withdrawn first
 * ({@link EmulatedPipe#withdrawWrite}). Called with the pipe locked: answer, and call nothing of the pipe.
 */
public interface WriteCompletion {

    /** The write returns {@code count}: at least one byte, at most what it asked to write. */
    void complete(int count);

    /** The write fails with {@code errno} (EIO: the host closed the pipe, or the guest released it). */
    void fail(int errno);
}
