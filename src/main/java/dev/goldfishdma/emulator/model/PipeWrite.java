package dev.goldfishdma.emulator.model;

/** What a guest's write to a pipe gets at once: a byte count, an errno, or nothing yet. */
public sealed interface PipeWrite {
    /**
     * The pipe has no room for the write: it waits, and is answered later through the {@link WriteCompletion}
     * it was given.
     */
    PipeWrite PARKED = new Parked();

    /** The write returns {@code count}: all the bytes, or fewer (a short write) when the pipe had less room. */
    record Written(long count) implements PipeWrite {
    }

    /** The write fails with {@code errno}. */
    record Failed(int errno) implements PipeWrite {
    }

    /** See {@link #PARKED}. */
    record Parked() implements PipeWrite {
    }
}
