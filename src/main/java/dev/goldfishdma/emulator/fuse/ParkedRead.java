package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.EmulatedPipe;
import dev.goldfishdma.emulator.model.ReadCompletion;
import dev.goldfishdma.libc.Errno;

import java.lang.foreign.MemorySegment;

/**
 * A guest read that a pipe parked, answered later by its FUSE request id: with the data once the host
 * sends some, with the pipe's error, or with EINTR when the kernel interrupts it.
 */
final class ParkedRead implements ReadCompletion, Interrupts.Interruptible {
    private final long unique;
    private final EmulatedPipe pipe;
    private final FuseConnection connection;
    private final Interrupts interrupts;

    /** A read of {@code pipe} by request {@code unique}, registered for INTERRUPT until answered. */
    ParkedRead(long unique, EmulatedPipe pipe, FuseConnection connection, Interrupts interrupts) {
        this.unique = unique;
        this.pipe = pipe;
        this.connection = connection;
        this.interrupts = interrupts;
        // Before the pipe sees it: a host thread may answer it as soon as it is parked.
        interrupts.register(unique, this);
    }

    /** The read was answered at once (or its handler failed) and never parked. */
    void answeredAtOnce() {
        interrupts.unregister(unique);
    }

    @Override
    public void complete(byte[] data) {
        interrupts.unregister(unique);
        try {
            connection.reply(unique, 0, MemorySegment.ofArray(data));
        } catch (OutOfMemoryError e) {
            connection.reply(unique, Errno.ENOMEM);
        }
    }

    @Override
    public void fail(int errno) {
        interrupts.unregister(unique);
        connection.reply(unique, errno);
    }

    @Override
    public void interrupt() {
        if (pipe.withdrawRead(this)) {
            fail(Errno.EINTR);
        }
    }
}
