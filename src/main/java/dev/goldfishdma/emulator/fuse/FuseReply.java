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
    static Ok ok(MemorySegment... payload) {
        return new Ok(payload, null);
    }

    /** Failure with the positive {@code errno}. */
    static FuseReply error(int errno) {
        return new Error(errno);
    }

    /**
     * Success.
     *
     * @param payload   the parts of the answer, valid until the reply is written
     * @param ifRefused what to undo when the kernel refuses the answer (the request was interrupted
     *                  meanwhile, so the kernel will never use what it grants, e.g. an open file); or null
     */
    record Ok(MemorySegment[] payload, Runnable ifRefused) implements FuseReply {
        /** This answer, with {@code undo} run if the kernel refuses it. */
        Ok ifRefused(Runnable undo) {
            return new Ok(payload, undo);
        }
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
