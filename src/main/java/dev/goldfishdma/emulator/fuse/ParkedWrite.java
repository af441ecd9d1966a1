package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.fuse.gen.fuse_write_out;
import dev.goldfishdma.emulator.model.EmulatedPipe;
import dev.goldfishdma.emulator.model.WriteCompletion;
import dev.goldfishdma.libc.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A guest write that a pipe parked because its service had no room, answered later by its FUSE request id:
 * with the count taken once the service takes some, with the pipe's error, or with EINTR when the kernel
 * interrupts it.
 */
final class ParkedWrite implements WriteCompletion, Interrupts.Interruptible {
    private final long unique;
    private final EmulatedPipe pipe;
    private final FuseConnection connection;
    private final Interrupts interrupts;

    /** A write to {@code pipe} by request {@code unique}, registered for INTERRUPT until answered. */
    ParkedWrite(long unique, EmulatedPipe pipe, FuseConnection connection, Interrupts interrupts) {
        this.unique = unique;
        this.pipe = pipe;
        this.connection = connection;
        this.interrupts = interrupts;
        // Before the pipe sees it: a host thread may answer it as soon as it is parked.
        interrupts.register(unique, this);
    }

    /** The write was answered at once (or its handler failed) and never parked. */
    void answeredAtOnce() {
        interrupts.unregister(unique);
    }

    @Override
    public void complete(int count) {
        interrupts.unregister(unique);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = fuse_write_out.allocate(arena);
            fuse_write_out.size(out, count);
            connection.reply(unique, 0, out);
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
        if (pipe.withdrawWrite(this)) {
            fail(Errno.EINTR);
        }
    }
}
