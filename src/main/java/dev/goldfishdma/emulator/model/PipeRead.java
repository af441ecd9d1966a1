package dev.goldfishdma.emulator.model;

/** What a guest's read of a pipe gets at once: bytes, an errno, or nothing yet. */
public sealed interface PipeRead {
    /** The read waits for data; it is answered later through the {@link ReadCompletion} it was given. */
    PipeRead PARKED = new Parked();

    /** The read returns {@code data} (as many bytes as were queued, up to the count; none for a count of 0). */
    record Bytes(byte[] data) implements PipeRead {
    }

    /** The read fails with {@code errno}. */
    record Failed(int errno) implements PipeRead {
    }

    /** See {@link #PARKED}. */
    record Parked() implements PipeRead {
    }
}
