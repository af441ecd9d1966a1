package dev.goldfishdma.emulator.service;

import java.lang.foreign.MemorySegment;

/**
 * A host-side service of the emulated device: what a guest reaches by writing {@code "pipe:<name>\0"} to a
 * freshly opened pipe, as with the emulator's own services (e.g. {@code opengles}).
 *
 * <p>Each connected pipe gets its own {@link Session}. A session is told the guest's bytes in the order the
 * guest wrote them and answers through the pipe's {@link HostEnd}, from any thread and at any time.
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
         * The guest wrote {@code data}. Called on the emulator's request thread, which also serves the
         * guest's page faults: return quickly and never wait for the guest or for {@link RegionMemory}; hand
         * such work to a thread of the session's own. {@code data} is valid only during the call.
         *
         * @param data the bytes the guest wrote
         */
        void onGuestWrite(MemorySegment data);

        /** The guest closed the pipe (its last reference went away); the session ends. */
        default void onGuestClose() {
        }
    }
}
