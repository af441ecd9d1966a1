package dev.goldfishdma.emulator.service;

import java.lang.foreign.MemorySegment;

/**
 * A host-side service of the emulated device: what a guest reaches by writing {@code "pipe:<name>\0"} to a
 * freshly opened pipe, as with the emulator's own services (e.g. {@code opengles}).
 *
 * <p>Each connected pipe gets its own {@link Session}. A session is told the guest's bytes in the order the
 * guest wrote them, as many as it says it can take, and answers through the pipe's {@link HostEnd}, from
 * any thread and at any time, within the room the pipe has for the guest.
 */
public interface HostService {

    /** {@return the name guests connect with, e.g. {@code "echo"} for {@code "pipe:echo\0"}} */
    String name();

    /**
     * Starts a session for a pipe that just connected to this service.
     *
     * @param pipe the host's end of the new pipe
     * @return the session that the pipe's traffic goes to
     */
    Session connect(HostEnd pipe);

    /** One connected pipe, as the service sees it. */
    interface Session {
        /**
         * The guest wrote {@code data}: at most {@link #writable()} bytes, in the order the guest wrote them.
         * Called with the pipe locked, on the emulator's request thread (which also serves the guest's page
         * faults) or, for a write that waited, on the thread that made room: return quickly and never wait
         * for the guest, for {@link RegionMemory} or for a thread that uses the pipe's {@link HostEnd}; hand
         * such work to the pipe's {@link HostEnd#executor()}. {@code data} is valid only during the call. A
         * session that throws is closed from the host side and the guest's write fails with EIO (ENOMEM for
         * an OutOfMemoryError).
         *
         * @param data the bytes the guest wrote
         */
        void onGuestWrite(MemorySegment data);

        /**
         * How many more of the guest's bytes the session takes now; asked with the pipe locked before each
         * {@link #onGuestWrite}. Less than the guest wrote makes its write short; 0 makes it wait (EAGAIN
         * under O_NONBLOCK, no POLLOUT) until the session calls {@link HostEnd#resumeGuestWrites()} or the
         * guest reads. A session that answers bounds it by the room its answers need in the pipe
         * ({@link HostEnd#room()}); the default, no limit, suits a session that never answers.
         *
         * @return the byte count, 0 or more
         */
        default long writable() {
            return Long.MAX_VALUE;
        }

        /** The guest closed the pipe (its last reference went away); the session ends. */
        default void onGuestClose() {
        }
    }
}
