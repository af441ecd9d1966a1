package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.fuse.gen.fuse_interrupt_in;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * FUSE_INTERRUPT: the kernel asks the server to end a request early because the caller got a signal. Once a
 * request has reached the server, the kernel waits for its answer uninterruptibly, even after SIGKILL
 * (fs/fuse/dev.c, request_wait_answer: any signal first queues an INTERRUPT, then only a fatal one can end
 * the wait, and only for a request still pending in the kernel): a request parked in the emulator that
 * ignored its INTERRUPT would leave the caller unkillable. So every request that waits in the emulator for
 * something the guest or a service has to do registers here by request id while it waits: the guest's reads
 * parked on a pipe without data ({@link ParkedRead}) and its writes parked on a pipe without room
 * ({@link ParkedWrite}), which covers a client waiting for a {@code dma} answer or for room to queue more
 * commands. The only other request answered later, a CREATE_REGION with the page cache, is answered within
 * moments by a thread of the emulator's own and has already done its work, so it ignores an INTERRUPT, as
 * does every request answered at once. The request thread reads an INTERRUPT only after it has handled the
 * request it names (a single thread reads, in order), so the target is always registered or answered.
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
