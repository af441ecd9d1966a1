package dev.goldfishdma.emulator.model;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.emulator.service.HostEnd;
import dev.goldfishdma.emulator.service.HostService;
import dev.goldfishdma.emulator.service.RegionMemory;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.PollFd;

import java.io.ByteArrayOutputStream;
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
 * <p>The guest side (called on the emulator's request thread) connects, writes, reads and polls; the DMA
 * ioctls are {@link DmaIoctls}. The host side ({@link HostEnd}, any thread) queues bytes for the guest or
 * closes the pipe. A read that finds no data is parked and answered later through its
 * {@link ReadCompletion}, so that it never holds up the request thread.
 *
 * <p>The pipe's {@link RegionFile} exists from the open on, empty: a transport that lets the kernel map it
 * for the guest registers it with the kernel when the device is opened, before any region is created. Pipes
 * opened on the same device inode share it (see {@link GoldfishDevice#openPipe}): only the first of them to
 * create a region can.
 */
public final class EmulatedPipe implements HostEnd {
    /** Longest connect string: the prefix and the longest service name the driver's rules allow. */
    private static final int MAX_CONNECT_LENGTH =
            DriverRules.CONNECT_PREFIX.length() + DriverRules.MAX_SERVICE_NAME_BYTES;

    private enum State { CONNECTING, CONNECTED, CLOSED_BY_HOST }

    private record ParkedRead(ReadCompletion completion, int size) {
    }

    private final long id;
    private final long inode;
    private final long owner;
    private final RegionTable regions;
    private final ResourceAccounting accounting;
    private final RegionMemory memory;
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
    private final Set<PollWaiter> pollWaiters = new LinkedHashSet<>();

    private final RegionFile regionFile;
    private EmulatedRegion region;

    /**
     * A pipe of {@code owner} holding {@code regionFile} (its own, or one it shares with pipes on the same
     * inode), counted in {@code accounting} already; {@code memory} is the host's access to that owner's
     * regions.
     */
    EmulatedPipe(long id, long inode, long owner, RegionTable regions, ResourceAccounting accounting,
                 RegionMemory memory, Map<String, HostService> services, RegionFile regionFile) {
        this.id = id;
        this.inode = inode;
        this.owner = owner;
        this.regions = regions;
        this.accounting = accounting;
        this.memory = memory;
        this.services = services;
        this.regionFile = regionFile;
    }

    @Override
    public long id() {
        return id;
    }

    /** The inode of the device file this open used: each open gets its own (the status file lists it). */
    public long inode() {
        return inode;
    }

    /**
     * The uid that opened the pipe: its region is that uid's, and its service reaches only that uid's
     * regions.
     */
    public long owner() {
        return owner;
    }

    /** The regions of the pipe's {@linkplain #owner() owner}, and no other user's. */
    @Override
    public RegionMemory memory() {
        return memory;
    }

    // ---- guest side (request thread) --------------------------------------------------------------------

    /**
     * The guest wrote {@code data}: first the connect string, then the service's protocol.
     *
     * @return 0 (all of it taken) or a positive errno
     */
    public int guestWrite(MemorySegment data) {
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
                HostService service = connectBytes.size() > MAX_CONNECT_LENGTH ? null
                        : findService(connectBytes.toString(StandardCharsets.UTF_8));
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
     * EAGAIN under O_NONBLOCK, else parked until data comes, then answered through {@code ifParked}.
     */
    public synchronized PipeRead guestRead(int size, boolean nonBlocking, ReadCompletion ifParked) {
        if (size == 0) {
            return new PipeRead.Bytes(new byte[0]);
        } else if (inboundBytes > 0) {
            return new PipeRead.Bytes(takeInbound(size));
        } else if (state == State.CLOSED_BY_HOST || released) {
            return new PipeRead.Failed(Errno.EIO);
        } else if (nonBlocking) {
            return new PipeRead.Failed(Errno.EAGAIN);
        }
        parkedReads.add(new ParkedRead(ifParked, size));
        return PipeRead.PARKED;
    }

    /**
     * Withdraws a parked read (the guest was interrupted).
     *
     * @return true if it was still parked: the caller answers it; false if it has been answered already
     */
    public synchronized boolean withdrawRead(ReadCompletion parked) {
        for (Iterator<ParkedRead> it = parkedReads.iterator(); it.hasNext(); ) {
            if (it.next().completion() == parked) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    /**
     * POLL: the readiness now ({@code POLLIN}, {@code POLLOUT}, {@code POLLERR}, {@code POLLHUP}), and a
     * wake-up of {@code waiter} at the next change if it is not null.
     */
    public synchronized int poll(PollWaiter waiter) {
        if (waiter != null) {
            pollWaiters.add(waiter);
        }
        if (state == State.CLOSED_BY_HOST) {
            return PollFd.POLLERR | PollFd.POLLHUP | (inboundBytes > 0 ? PollFd.POLLIN : 0);
        }
        return PollFd.POLLOUT | (inboundBytes > 0 ? PollFd.POLLIN : 0);
    }

    /** The region, or null before CREATE_REGION. */
    public synchronized EmulatedRegion region() {
        return region;
    }

    /**
     * The file the region's memory lives in, shared with the other pipes on the same inode: empty until
     * CREATE_REGION, closed after the last of those pipes and its region.
     */
    public RegionFile regionFile() {
        return regionFile;
    }

    /**
     * Gives the pipe a region of {@code size} bytes in its {@link RegionFile}, registered under a new
     * physical address.
     *
     * @return 0; EBUSY when the pipe has a region already, or another pipe on the same inode made one in the
     *         shared file; ENOMEM past the owner's or the device's region bytes ({@link RegionLimits}), or when
     *         its memory cannot be set up (the file cannot grow, or the emulator cannot map it)
     */
    synchronized int attachRegion(long size) {
        if (region != null || regionFile.allocated()) {
            return Errno.EBUSY;
        }
        if (released) {
            return Errno.EIO;
        }
        int refused = accounting.takeRegion(owner, size);
        if (refused != 0) {
            return refused;
        }
        MemorySegment view;
        try {
            view = regionFile.allocate(size);
        } catch (ErrnoException e) {
            accounting.giveRegion(owner, size);
            return Errno.ENOMEM;
        }
        region = new EmulatedRegion(size, owner, id, inode, regionFile, view, regions);
        regionFile.holds(region);
        return 0;
    }

    /** The last reference to the open file went away: end the session, free the region. */
    void release() {
        HostService.Session ended;
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            failParkedReads(Errno.EIO);
            pollWaiters.clear();
            inbound.clear();
            inboundBytes = 0;
            if (region != null) {
                region.retire(); // closes the region file once no host thread uses it
                accounting.giveRegion(owner, region.size());
            } else {
                regionFile.close();
            }
            ended = session;
        }
        accounting.givePipe();
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
        return "pipe id=" + id + " node=" + inode + " uid=" + owner + " service=" + (serviceName == null ? "-" : serviceName)
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
            read.completion().complete(takeInbound(read.size()));
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
        failParkedReads(Errno.EIO);
        wakePollers();
    }

    private void failParkedReads(int errno) {
        for (ParkedRead read : parkedReads) {
            read.completion().fail(errno);
        }
        parkedReads.clear();
    }

    /** Takes up to {@code size} queued bytes, at least one; the caller holds the lock and knows some are queued. */
    private byte[] takeInbound(int size) {
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
        return out;
    }

    /** Wakes every poller waiting for a change, once (the driver's wake-up of the pipe's wait queue). */
    synchronized void wakePollers() {
        for (PollWaiter waiter : pollWaiters) {
            waiter.wake();
        }
        pollWaiters.clear();
    }
}
