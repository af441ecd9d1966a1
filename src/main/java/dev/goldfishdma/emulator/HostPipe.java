package dev.goldfishdma.emulator;

import java.lang.foreign.MemorySegment;

/** The host end of one pipe, as a {@link HostService.Session} uses it. All methods are thread-safe. */
public interface HostPipe {

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
    HostMemory memory();
}
