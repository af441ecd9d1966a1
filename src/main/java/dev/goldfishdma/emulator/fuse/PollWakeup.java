package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.PollWaiter;
import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.emulator.fuse.gen.fuse_notify_poll_wakeup_out;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A poll(2) waiting on a pipe, woken with FUSE_NOTIFY_POLL. The kernel names it by its poll handle
 * {@code kh}, the same for every POLL of one waiting file, so equal handles are one waiter.
 *
 * @param connection where the notification goes
 * @param kh         the kernel's poll handle, from the POLL request
 */
record PollWakeup(FuseConnection connection, long kh) implements PollWaiter {
    @Override
    public void wake() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment wakeup = fuse_notify_poll_wakeup_out.allocate(arena);
            fuse_notify_poll_wakeup_out.kh(wakeup, kh);
            connection.notify(Fuse.FUSE_NOTIFY_POLL(), wakeup);
        }
    }
}
