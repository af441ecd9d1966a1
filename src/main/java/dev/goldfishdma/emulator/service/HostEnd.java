package dev.goldfishdma.emulator.service;

import java.lang.foreign.MemorySegment;

/**
 * The host's end of one guest pipe: what a {@link HostService.Session} answers the guest through. All
 * methods are thread-safe.
 */
public interface HostEnd {

    /** A number identifying the pipe while it is open (the status file lists it). */
    long id();

    /** Queues {@code data} (copied) for the guest to read, and wakes readers and pollers. */
    void sendToGuest(MemorySegment data);

    /**
     * Closes the pipe from the host side, as the driver sees it when the host reports the pipe closed:
     * the guest's later reads and writes fail with {@code EIO} and poll reports {@code POLLERR}.
     */
    void closeFromHost();

    /** Host access to every live DMA region, looked up by guest physical address as the real host does. */
    RegionMemory memory();
}
