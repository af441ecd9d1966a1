package dev.goldfishdma.libc;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.gen.libc.pollfd;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/** {@code struct pollfd} and the {@code poll(2)} event bits, from the generated bindings. */
public final class PollFd {
    /** The layout of one {@code struct pollfd}. */
    public static final MemoryLayout LAYOUT = pollfd.layout();
    /** Data to read. */
    public static final short POLLIN = (short) LibcConstants.POLLIN();
    /** Writing will not block. */
    public static final short POLLOUT = (short) LibcConstants.POLLOUT();
    /** Error condition. */
    public static final short POLLERR = (short) LibcConstants.POLLERR();
    /** Hang up. */
    public static final short POLLHUP = (short) LibcConstants.POLLHUP();
    /** The descriptor is not open. */
    public static final short POLLNVAL = (short) LibcConstants.POLLNVAL();

    private PollFd() {
    }

    /** Sets entry {@code index}'s descriptor and requested events, and clears its returned events. */
    public static void set(MemorySegment fds, long index, int fd, short events) {
        MemorySegment entry = pollfd.asSlice(fds, index);
        pollfd.fd(entry, fd);
        pollfd.events(entry, events);
        pollfd.revents(entry, (short) 0);
    }

    /** The events {@code poll} returned for entry {@code index}. */
    public static short revents(MemorySegment fds, long index) {
        return pollfd.revents(pollfd.asSlice(fds, index));
    }
}
