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
final class ParkedWrite extends ParkedRequest implements WriteCompletion {

    /** A write to {@code pipe} by request {@code unique}, registered for INTERRUPT until answered. */
    ParkedWrite(long unique, EmulatedPipe pipe, FuseConnection connection, Interrupts interrupts) {
        super(unique, pipe, connection, interrupts);
    }

    @Override
    public void complete(int count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = fuse_write_out.allocate(arena);
            fuse_write_out.size(out, count);
            answer(out);
        } catch (OutOfMemoryError e) {
            fail(Errno.ENOMEM);
        }
    }

    @Override
    boolean withdraw() {
        return pipe.withdrawWrite(this);
    }
}
