package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.EmulatedPipe;
import dev.goldfishdma.libc.Errno;

import java.lang.foreign.MemorySegment;

/**
 * A guest request that a pipe parked ({@link ParkedRead}, {@link ParkedWrite}), answered later by its FUSE
 * request id from whichever thread completes it, and registered for INTERRUPT until then: exactly one answer,
 * the pipe's, its error, or EINTR when the kernel interrupts it and the pipe gives it up.
 */
abstract class ParkedRequest implements Interrupts.Interruptible {
    private final long unique;
    final EmulatedPipe pipe;
    private final FuseConnection connection;
    private final Interrupts interrupts;

    /** A request {@code unique} on {@code pipe}, registered for INTERRUPT until answered. */
    ParkedRequest(long unique, EmulatedPipe pipe, FuseConnection connection, Interrupts interrupts) {
        this.unique = unique;
        this.pipe = pipe;
        this.connection = connection;
        this.interrupts = interrupts;
        // Before the pipe sees it: a host thread may answer it as soon as it is parked.
        interrupts.register(unique, this);
    }

    /** The request was answered at once (or its handler failed) and never parked. */
    void answeredAtOnce() {
        interrupts.unregister(unique);
    }

    /** Answers with {@code payload}; ENOMEM when the answer cannot be made. */
    final void answer(MemorySegment payload) {
        interrupts.unregister(unique);
        try {
            connection.reply(unique, 0, payload);
        } catch (OutOfMemoryError e) {
            connection.reply(unique, Errno.ENOMEM);
        }
    }

    /**
     * Answers with {@code errno}.
     *
     * @param errno the error the guest's call fails with
     */
    public final void fail(int errno) {
        interrupts.unregister(unique);
        connection.reply(unique, errno);
    }

    /** {@return whether the pipe gave the request up, so that it is this one's to answer} */
    abstract boolean withdraw();

    @Override
    public final void interrupt() {
        if (withdraw()) {
            fail(Errno.EINTR);
        }
    }
}
