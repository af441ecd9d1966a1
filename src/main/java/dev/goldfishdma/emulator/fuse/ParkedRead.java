package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.EmulatedPipe;
import dev.goldfishdma.emulator.model.ReadCompletion;

import java.lang.foreign.MemorySegment;

/**
 * A guest read that a pipe parked, answered later by its FUSE request id: with the data once the host
 * sends some, with the pipe's error, or with EINTR when the kernel interrupts it.
 */
final class ParkedRead extends ParkedRequest implements ReadCompletion {

    /** A read of {@code pipe} by request {@code unique}, registered for INTERRUPT until answered. */
    ParkedRead(long unique, EmulatedPipe pipe, FuseConnection connection, Interrupts interrupts) {
        super(unique, pipe, connection, interrupts);
    }

    @Override
    public void complete(byte[] data) {
        answer(MemorySegment.ofArray(data));
    }

    @Override
    boolean withdraw() {
        return pipe.withdrawRead(this);
    }
}
