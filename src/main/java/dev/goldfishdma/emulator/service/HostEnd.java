package dev.goldfishdma.emulator.service;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.Executor;

/**
 * The host's end of one guest pipe: what a {@link HostService.Session} answers the guest through. All
 * methods are thread-safe.
 *
 * <p>The bytes queued for the guest are limited (the emulator's pipe buffer, 64 KiB by default): a session
 * that answers checks {@link #room()} before taking the guest's bytes (see
 * {@link HostService.Session#writable()}), so that its answers always fit, and calls
 * {@link #resumeGuestWrites()} when it can take more after having refused some.
 */
public interface HostEnd {

    /** {@return a number identifying the pipe while it is open (the status file lists it)} */
    long id();

    /**
     * Queues {@code data} (copied) for the guest to read, and wakes readers and pollers, if all of it fits
     * in the {@link #room()} left.
     *
     * @param data the bytes for the guest
     * @return true when queued; false when nothing was queued: it does not fit, or the pipe is closed
     */
    boolean sendToGuest(MemorySegment data);

    /** {@return how many bytes {@link #sendToGuest} can queue now; 0 once the pipe is closed} */
    long room();

    /**
     * The session can take more of the guest's bytes than it last said ({@link HostService.Session#writable()}):
     * the guest's waiting writes go on, and polls waiting for POLLOUT are woken. Call it without holding
     * a lock the session's {@link HostService.Session#onGuestWrite} takes.
     */
    void resumeGuestWrites();

    /**
     * The pipe's lane on the emulator's service threads ({@link ServiceThreads}): tasks run one at a time, in
     * order, never on the request thread, so they may use {@link RegionMemory}. A task that throws is logged
     * and closes the pipe from the host side, so a guest waiting for its answer gets EIO instead of waiting
     * for ever. {@link Executor#execute} refuses a task beyond {@link ServiceLimits#queuedCommands()} queued.
     *
     * @return the lane
     */
    Executor executor();

    /**
     * Closes the pipe from the host side, as the driver sees it when the host reports the pipe closed:
     * the guest's later reads and writes fail with {@code EIO} and poll reports {@code POLLERR}.
     */
    void closeFromHost();

    /**
     * {@return host access to the live DMA regions of the user that opened this pipe, looked up by guest
     * physical address as the real host does; another user's region is not found, as a free address is not}
     */
    RegionMemory memory();

    /** {@return the limits of the emulator's service threads, e.g. how many commands a pipe may queue} */
    ServiceLimits limits();
}
