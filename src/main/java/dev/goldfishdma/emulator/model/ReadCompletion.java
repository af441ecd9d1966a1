package dev.goldfishdma.emulator.model;

/**
 * How a parked guest read is answered once data or the end comes, from whichever thread brings it. Exactly
 * one of the methods is called, once, unless the read is withdrawn first
 * ({@link EmulatedPipe#withdrawRead}). Called with the pipe locked: answer, and call nothing of the pipe.
 */
public interface ReadCompletion {

    /** The read returns {@code data}: at least one byte, at most the count it asked for. */
    void complete(byte[] data);

    /** The read fails with {@code errno} (EIO: the host closed the pipe, or the guest released it). */
    void fail(int errno);
}
