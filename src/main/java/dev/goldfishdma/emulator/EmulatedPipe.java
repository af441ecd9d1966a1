package dev.goldfishdma.emulator;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.emulator.service.HostEnd;
import dev.goldfishdma.emulator.service.HostService;
import dev.goldfishdma.gen.fuse.fuse_notify_poll_wakeup_out;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.PollFd;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * One open of the device: one pipe, as every {@code open()} of the real device is, with at most one DMA
 * region.
 *
 * <p>The guest side (called on the request thread) writes, reads, polls and issues the DMA ioctls; the host
 * side ({@link HostEnd}, any thread) queues bytes for the guest or closes the pipe. A read that finds no
 * data is parked and answered when data comes, so that it never holds up the request thread.
 */
final class EmulatedPipe implements HostEnd {
    /** Longest connect string the emulator waits for before giving up on a NUL. */
    private static final int MAX_CONNECT_LENGTH = 256;

    private enum State { CONNECTING, CONNECTED, CLOSED_BY_HOST }

    private record ParkedRead(long unique, int size) {
    }

    private final long id;
    private final long nodeId;
    private final FuseConnection connection;
    private final HostMemory memory;
    private final Map<String, HostService> services;

    private State state = State.CONNECTING;
    private final ByteArrayOutputStream connectBytes = new ByteArrayOutputStream();
    private String serviceName;
    private HostService.Session session;
    private boolean released;

    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private int inboundHeadOffset;
    private long inboundBytes;
    private final ArrayDeque<ParkedRead> parkedReads = new ArrayDeque<>();
    private final Set<Long> pollHandles = new LinkedHashSet<>();

    private EmulatedRegion region;

    EmulatedPipe(long id, long nodeId, FuseConnection connection, HostMemory memory,
                 Map<String, HostService> services) {
        this.id = id;
        this.nodeId = nodeId;
        this.connection = connection;
        this.memory = memory;
        this.services = services;
    }

    @Override
    public long id() {
        return id;
    }

    long nodeId() {
        return nodeId;
    }

    @Override
    public HostMemory memory() {
        return memory;
    }

    // ---- guest side (request thread) --------------------------------------------------------------------

    /**
     * The guest wrote {@code data}: first the connect string, then the service's protocol.
     *
     * @return 0 (all of it taken) or a positive errno
     */
    int guestWrite(MemorySegment data) {
        HostService.Session target;
        MemorySegment forSession = data;
        synchronized (this) {
            if (state == State.CLOSED_BY_HOST) {
                return Errno.EIO;
            }
            if (state == State.CONNECTING) {
                long nul = indexOfNul(data);
                long take = Math.min(nul < 0 ? data.byteSize() : nul, MAX_CONNECT_LENGTH + 1L - connectBytes.size());
                connectBytes.writeBytes(data.asSlice(0, take).toArray(JAVA_BYTE));
                if (nul < 0 || nul > take) {
                    if (connectBytes.size() > MAX_CONNECT_LENGTH) {
                        closeByHostLocked();
                    }
                    return 0;
                }
                HostService service = findService(connectBytes.toString(StandardCharsets.UTF_8));
                if (service == null) {
                    closeByHostLocked();
                    return 0;
                }
                serviceName = service.name();
                state = State.CONNECTED;
                session = service.connect(this);
                forSession = data.asSlice(nul + 1);
            }
            target = session;
        }
        // Outside the lock: a session may answer from its own threads meanwhile.
        if (forSession.byteSize() > 0) {
            target.onGuestWrite(forSession);
        }
        return 0;
    }

    private static long indexOfNul(MemorySegment data) {
        for (long i = 0; i < data.byteSize(); i++) {
            if (data.get(JAVA_BYTE, i) == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code "pipe:<name>"}, or namespaced {@code "pipe:<ns>:<name>"}: the whole name is tried first, then
     * its last part (the namespaced form), then its first part (the emulator's {@code service:arguments}).
     */
    private HostService findService(String connectString) {
        if (!connectString.startsWith(DriverRules.CONNECT_PREFIX)) {
            return null;
        }
        String name = connectString.substring(DriverRules.CONNECT_PREFIX.length());
        HostService service = services.get(name);
        int colon = name.indexOf(':');
        if (service == null && colon >= 0) {
            service = services.get(name.substring(name.lastIndexOf(':') + 1));
            if (service == null) {
                service = services.get(name.substring(0, colon));
            }
        }
        return service;
    }

    /**
     * The guest reads up to {@code size} bytes: answered now when there is data (or an error), else
     * EAGAIN under O_NONBLOCK, else parked until data comes.
     */
    synchronized void guestRead(long unique, int size, boolean nonBlocking) {
        if (size == 0) {
            connection.reply(unique, 0);
        } else if (inboundBytes > 0) {
            answerRead(unique, size);
        } else if (state == State.CLOSED_BY_HOST || released) {
            connection.reply(unique, Errno.EIO);
        } else if (nonBlocking) {
            connection.reply(unique, Errno.EAGAIN);
        } else {
            parkedReads.add(new ParkedRead(unique, size));
        }
    }

    /** INTERRUPT of request {@code unique}: a parked read ends with EINTR. */
    synchronized boolean interrupt(long unique) {
        for (Iterator<ParkedRead> it = parkedReads.iterator(); it.hasNext(); ) {
            ParkedRead read = it.next();
            if (read.unique() == unique) {
                it.remove();
                connection.reply(unique, Errno.EINTR);
                return true;
            }
        }
        return false;
    }

    /** POLL: the readiness now, and a FUSE_NOTIFY_POLL to {@code kh} at the next change if asked. */
    synchronized int poll(long kh, boolean scheduleNotify) {
        if (scheduleNotify) {
            pollHandles.add(kh);
        }
        return readiness();
    }

    private int readiness() {
        if (state == State.CLOSED_BY_HOST) {
            return PollFd.POLLERR | PollFd.POLLHUP | (inboundBytes > 0 ? PollFd.POLLIN : 0);
        }
        return PollFd.POLLOUT | (inboundBytes > 0 ? PollFd.POLLIN : 0);
    }

    /** UNLOCK: like the driver, only wakes whoever waits on the pipe. */
    synchronized void unlock() {
        wakePollers();
    }

    /**
     * CREATE_REGION.
     *
     * @return 0, EINVAL for a bad size, EBUSY when the pipe already has a region
     */
    synchronized int createRegion(long size) {
        if (!DriverRules.isRegionSize(size)) {
            return Errno.EINVAL;
        }
        if (region != null) {
            return Errno.EBUSY;
        }
        region = new EmulatedRegion(size, id, nodeId);
        return 0;
    }

    /** The region, or null before CREATE_REGION. */
    synchronized EmulatedRegion region() {
        return region;
    }

    /** The last reference to the open file went away (RELEASE): end the session, free the region. */
    void release(RegionTable regions) {
        HostService.Session ended;
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            for (ParkedRead read : parkedReads) {
                connection.reply(read.unique(), Errno.EIO);
            }
            parkedReads.clear();
            pollHandles.clear();
            inbound.clear();
            inboundBytes = 0;
            if (region != null) {
                region.retire(regions);
            }
            ended = session;
        }
        if (ended != null) {
            ended.onGuestClose();
        }
    }

    /** One line for the status file. */
    synchronized String describe() {
        String stateName = switch (state) {
            case CONNECTING -> "connecting";
            case CONNECTED -> "connected";
            case CLOSED_BY_HOST -> "closed";
        };
        return "pipe id=" + id + " node=" + nodeId + " service=" + (serviceName == null ? "-" : serviceName)
                + " state=" + stateName + " queued=" + inboundBytes + " parked_reads=" + parkedReads.size()
                + " region=" + (region == null ? "-" : Long.toString(region.size()));
    }

    // ---- host side (any thread) -------------------------------------------------------------------------

    @Override
    public synchronized void sendToGuest(MemorySegment data) {
        if (released || state == State.CLOSED_BY_HOST || data.byteSize() == 0) {
            return;
        }
        inbound.add(data.toArray(JAVA_BYTE));
        inboundBytes += data.byteSize();
        while (!parkedReads.isEmpty() && inboundBytes > 0) {
            ParkedRead read = parkedReads.poll();
            answerRead(read.unique(), read.size());
        }
        wakePollers();
    }

    @Override
    public synchronized void closeFromHost() {
        if (!released && state != State.CLOSED_BY_HOST) {
            closeByHostLocked();
        }
    }

    private void closeByHostLocked() {
        state = State.CLOSED_BY_HOST;
        for (ParkedRead read : parkedReads) {
            connection.reply(read.unique(), Errno.EIO);
        }
        parkedReads.clear();
        wakePollers();
    }

    private void answerRead(long unique, int size) {
        int n = (int) Math.min(size, inboundBytes);
        byte[] out = new byte[n];
        int filled = 0;
        while (filled < n) {
            byte[] head = inbound.peek();
            int take = Math.min(n - filled, head.length - inboundHeadOffset);
            System.arraycopy(head, inboundHeadOffset, out, filled, take);
            filled += take;
            inboundHeadOffset += take;
            if (inboundHeadOffset == head.length) {
                inbound.poll();
                inboundHeadOffset = 0;
            }
        }
        inboundBytes -= n;
        connection.reply(unique, 0, MemorySegment.ofArray(out));
    }

    private void wakePollers() {
        if (pollHandles.isEmpty()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment wakeup = fuse_notify_poll_wakeup_out.allocate(arena);
            for (long kh : pollHandles) {
                fuse_notify_poll_wakeup_out.kh(wakeup, kh);
                connection.notify(FuseProtocol.NOTIFY_POLL, wakeup);
            }
        }
        pollHandles.clear();
    }
}
