package dev.goldfishdma.emulator.service;

import java.lang.foreign.MemorySegment;

/**
 * The host's end of one guest pipe: what a {@link HostService.Session} answers the guest through. All
 * methods are thread-safe.
 */
public interface HostEnd {

    /** {@return a number identifying the pipe while it is open (the status file lists it)} */
    long id();

    /**
     * Queues {@code data} (copied) for the guest to read, and wakes readers and pollers.
     *
     * @param data the bytes for the guest
     */
    void sendToGuest(MemorySegment data);

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
}
