package dev.goldfishdma.emulator.fuse;

import java.lang.foreign.MemorySegment;

/**
 * What a request's handler answers with. {@link FuseDispatcher} turns it into the one reply the kernel
 * gets, so no handler writes a reply itself; only an answer given {@linkplain #LATER later} is written by
 * whoever completes it.
 */
sealed interface FuseReply {
    /** The request is answered later, exactly once, by whoever holds its request id (a parked read). */
    FuseReply LATER = new Later();
    /** For the opcodes that take no answer (FORGET, INTERRUPT, ...). */
    FuseReply NONE = new None();

    /** Success, with {@code payload} concatenated after the header (nothing for a bare success). */
    static FuseReply ok(MemorySegment... payload) {
        return new Ok(payload);
    }

    /** Failure with the positive {@code errno}. */
    static FuseReply error(int errno) {
        return new Error(errno);
    }

    /**
     * Success.
     *
     * @param payload the parts of the answer, valid until the reply is written
     */
    record Ok(MemorySegment[] payload) implements FuseReply {
    }

    /**
     * Failure.
     *
     * @param errno the positive errno
     */
    record Error(int errno) implements FuseReply {
    }

    /** See {@link #LATER}. */
    record Later() implements FuseReply {
    }

    /** See {@link #NONE}. */
    record None() implements FuseReply {
    }
}
