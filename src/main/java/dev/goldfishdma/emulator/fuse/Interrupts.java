package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.fuse.gen.fuse_interrupt_in;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * FUSE_INTERRUPT: the kernel asks the server to end a request early because the caller got a signal. The
 * requests that can wait on the server long enough for that register here by request id while they wait;
 * today those are the guest's reads parked on a pipe ({@link ParkedRead}). An INTERRUPT of any other request
 * is ignored: it is answered soon anyway.
 */
final class Interrupts {
    /** A request waiting on the server that can be ended early. */
    interface Interruptible {
        /** Answers the request at once (EINTR), unless it has been answered already. */
        void interrupt();
    }

    private final Map<Long, Interruptible> waiting = new ConcurrentHashMap<>();

    /** Request {@code unique} may wait: an INTERRUPT of it goes to {@code request}. */
    void register(long unique, Interruptible request) {
        waiting.put(unique, request);
    }

    /** Request {@code unique} is answered: it waits no more. */
    void unregister(long unique) {
        waiting.remove(unique);
    }

    /** The INTERRUPT handler; the interrupt itself takes no answer. */
    FuseReply interrupt(FuseRequest request) {
        Interruptible target = waiting.get(fuse_interrupt_in.unique(request.body()));
        if (target != null) {
            target.interrupt();
        }
        return FuseReply.NONE;
    }
}
