package dev.goldfishdma.emulator.model;

/**
 * A poll(2) waiting on a pipe, to be woken once at the pipe's next change of readiness. Waiters that are
 * {@linkplain Object#equals equal} are registered, and woken, once. Called with the pipe locked: wake, and
 * call nothing of the pipe.
 */
public interface PollWaiter {

    /** The pipe's readiness may have changed: the waiter should ask again. */
    void wake();
}
