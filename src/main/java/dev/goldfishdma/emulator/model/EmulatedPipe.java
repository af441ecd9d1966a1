package dev.goldfishdma.emulator.model;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.emulator.service.HostEnd;
import dev.goldfishdma.emulator.service.HostService;
import dev.goldfishdma.emulator.service.RegionMemory;
import dev.goldfishdma.emulator.service.ServiceLimits;
import dev.goldfishdma.emulator.service.ServiceThreads;
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
import java.util.concurrent.Executor;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * One open of the device: one pipe, as every {@code open()} of the real device is, with at most one DMA
 * region.
 *
 * <p>The guest side (called on the emulator's request thread) connects, writes, reads and polls; the DMA
 * ioctls are {@link DmaIoctls}. The host side ({@link HostEnd}, any thread) queues bytes for the guest or
 * closes the pipe. A read that finds no data is parked and answered later through its
 * {@link ReadCompletion}, and a write the service has no room for likewise through its
 * {@link WriteCompletion}, so that neither holds up the request thread.
 *
 * <p>Bounded: at most {@link PipeLimits#bufferBytes()} queued for the guest (services take no more of the
 * guest's bytes than their answers fit in, see {@link HostService.Session#writable()}); a parked write holds
 * a copy of at most {@value #PARKED_WRITE_BYTES} bytes of its data, and at most {@value #MAX_PARKED_WRITES}
 * writes are parked (more fail with EAGAIN); the service's work runs on the emulator's
 * {@link ServiceThreads}.
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

    private static final System.Logger LOG = System.getLogger(EmulatedPipe.class.getName());

    private enum State { CONNECTING, CONNECTED, CLOSED_BY_HOST }

    /**
     * The most of a parked write's data the pipe copies: the write takes at most this many bytes when it goes
     * on (a short write), and the guest writes the rest next.
     */
    static final int PARKED_WRITE_BYTES = 4096;
    /** Writes parked on one pipe at most; one more fails with EAGAIN. */
    static final int MAX_PARKED_WRITES = 16;

    private record ParkedRead(ReadCompletion completion, int size) {
    }

    private record ParkedWrite(WriteCompletion completion, byte[] data) {
    }

    private final long id;
    private final long inode;
    private final long owner;
    private final RegionTable regions;
    private final ResourceAccounting accounting;
    private final RegionMemory memory;
    private final Map<String, HostService> services;
    private final PipeLimits limits;
    private final ServiceThreads serviceThreads;
    private Executor lane;

    private State state = State.CONNECTING;
    private final ByteArrayOutputStream connectBytes = new ByteArrayOutputStream();
    private String serviceName;
    private HostService.Session session;
    private boolean released;

    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private int inboundHeadOffset;
    private long inboundBytes;
    private final ArrayDeque<ParkedRead> parkedReads = new ArrayDeque<>();
    private final ArrayDeque<ParkedWrite> parkedWrites = new ArrayDeque<>();
    /** Parked writes are being handed to the session: a nested call leaves them to the one running. */
    private boolean delivering;
    private final Set<PollWaiter> pollWaiters = new LinkedHashSet<>();

    private final RegionFile regionFile;
    private EmulatedRegion region;

    /**
     * A pipe of {@code owner} holding {@code regionFile} (its own, or one it shares with pipes on the same
     * inode), counted in {@code accounting} already; {@code memory} is the host's access to that owner's
     * regions.
     */
    EmulatedPipe(long id, long inode, long owner, RegionTable regions, ResourceAccounting accounting,
                 RegionMemory memory, Map<String, HostService> services, RegionFile regionFile, PipeLimits limits,
                 ServiceThreads serviceThreads) {
        this.limits = limits;
        this.serviceThreads = serviceThreads;
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
     * The guest writes {@code data}: first the connect string, then the service's protocol, as much of it as
     * the service takes now ({@link HostService.Session#writable()}). When it takes nothing, the write fails
     * with EAGAIN under O_NONBLOCK, else it is parked until the service can take some, then answered through
     * {@code ifParked}; a write behind parked ones waits its turn.
     *
     * @throws RuntimeException or Error as the session threw it; the pipe is then closed from the host side
     */
    public synchronized PipeWrite guestWrite(MemorySegment data, boolean nonBlocking, WriteCompletion ifParked) {
        if (state == State.CLOSED_BY_HOST || released) {
            return new PipeWrite.Failed(Errno.EIO);
        }
        long connectBytesTaken = 0;
        MemorySegment forSession = data;
        if (state == State.CONNECTING) {
            long nul = indexOfNul(data);
            long take = Math.min(nul < 0 ? data.byteSize() : nul, MAX_CONNECT_LENGTH + 1L - connectBytes.size());
            connectBytes.writeBytes(data.asSlice(0, take).toArray(JAVA_BYTE));
            if (nul < 0 || nul > take) {
                if (connectBytes.size() > MAX_CONNECT_LENGTH) {
                    closeByHostLocked();
                }
                return new PipeWrite.Written(data.byteSize());
            }
            HostService service = connectBytes.size() > MAX_CONNECT_LENGTH ? null
                    : findService(connectBytes.toString(StandardCharsets.UTF_8));
            if (service == null) {
                closeByHostLocked();
                return new PipeWrite.Written(data.byteSize());
            }
            serviceName = service.name();
            state = State.CONNECTED;
            session = service.connect(this);
            connectBytesTaken = nul + 1;
            forSession = data.asSlice(nul + 1);
            if (forSession.byteSize() == 0) {
                return new PipeWrite.Written(connectBytesTaken);
            }
        }
        if (forSession.byteSize() == 0) {
            return new PipeWrite.Written(0);
        }
        long n = parkedWrites.isEmpty() ? Math.min(forSession.byteSize(), sessionWritable()) : 0;
        if (n > 0) {
            deliver(forSession.asSlice(0, n));
            return new PipeWrite.Written(connectBytesTaken + n);
        } else if (connectBytesTaken > 0) {
            return new PipeWrite.Written(connectBytesTaken);
        } else if (nonBlocking || parkedWrites.size() >= MAX_PARKED_WRITES) {
            return new PipeWrite.Failed(Errno.EAGAIN);
        }
        byte[] copy = forSession.asSlice(0, Math.min(forSession.byteSize(), PARKED_WRITE_BYTES)).toArray(JAVA_BYTE);
        parkedWrites.add(new ParkedWrite(ifParked, copy));
        return PipeWrite.PARKED;
    }

    /** What the session takes now; a session that throws is closed from the host side. Locked. */
    private long sessionWritable() {
        try {
            return Math.max(0, session.writable());
        } catch (RuntimeException | Error e) {
            closeByHostLocked();
            throw e;
        }
    }

    /** Hands {@code bytes} to the session; a session that throws is closed from the host side. Locked. */
    private void deliver(MemorySegment bytes) {
        try {
            session.onGuestWrite(bytes);
        } catch (RuntimeException | Error e) {
            closeByHostLocked();
            throw e;
        }
    }

    /**
     * Hands parked writes to the session in order, as far as it takes them, answering each with what it
     * took. A session that throws fails the write (EIO, ENOMEM for an OutOfMemoryError) and closes the pipe.
     * Locked.
     */
    private void deliverParkedWrites() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (!parkedWrites.isEmpty() && state == State.CONNECTED && !released) {
                ParkedWrite write = parkedWrites.peek();
                long n;
                try {
                    n = Math.min(write.data().length, sessionWritable());
                } catch (RuntimeException | Error e) {
                    logFailure(e); // closed: every parked write, this one too, has failed with EIO
                    return;
                }
                if (n == 0) {
                    return;
                }
                parkedWrites.poll();
                try {
                    deliver(MemorySegment.ofArray(write.data()).asSlice(0, n));
                } catch (RuntimeException | Error e) {
                    write.completion().fail(e instanceof OutOfMemoryError ? Errno.ENOMEM : Errno.EIO);
                    logFailure(e);
                    return;
                }
                write.completion().complete((int) n);
            }
        } finally {
            delivering = false;
        }
    }

    private void logFailure(Throwable failure) {
        serviceThreads.log().log(LOG, System.Logger.Level.ERROR,
                "service " + serviceName + " of pipe " + id + " failed; the pipe is closed", failure);
    }

    /**
     * Withdraws a parked write (the guest was interrupted).
     *
     * @return true if it was still parked: the caller answers it; false if it has been answered already
     */
    public synchronized boolean withdrawWrite(WriteCompletion parked) {
        for (Iterator<ParkedWrite> it = parkedWrites.iterator(); it.hasNext(); ) {
            if (it.next().completion() == parked) {
                it.remove();
                return true;
            }
        }
        return false;
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
            byte[] data = takeInbound(size);
            roomFreed();
            return new PipeRead.Bytes(data);
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
        boolean writable = state == State.CONNECTING || (parkedWrites.isEmpty() && sessionWritable() > 0);
        return (writable ? PollFd.POLLOUT : 0) | (inboundBytes > 0 ? PollFd.POLLIN : 0);
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
            failParkedWrites(Errno.EIO);
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
                + " parked_writes=" + parkedWrites.size()
                + " region=" + (region == null ? "-" : Long.toString(region.size()));
    }

    // ---- host side (any thread) -------------------------------------------------------------------------

    @Override
    public synchronized boolean sendToGuest(MemorySegment data) {
        if (released || state == State.CLOSED_BY_HOST) {
            return false;
        }
        if (data.byteSize() == 0) {
            return true;
        }
        if (data.byteSize() > room()) {
            return false;
        }
        inbound.add(data.toArray(JAVA_BYTE));
        inboundBytes += data.byteSize();
        boolean taken = false;
        while (!parkedReads.isEmpty() && inboundBytes > 0) {
            ParkedRead read = parkedReads.poll();
            read.completion().complete(takeInbound(read.size()));
            taken = true;
        }
        if (taken) {
            deliverParkedWrites();
        }
        wakePollers();
        return true;
    }

    @Override
    public synchronized long room() {
        if (released || state == State.CLOSED_BY_HOST) {
            return 0;
        }
        return Math.max(0, limits.bufferBytes() - inboundBytes);
    }

    @Override
    public synchronized void resumeGuestWrites() {
        roomFreed();
    }

    /** The session may take more now: parked writes go on, pollers (for POLLOUT) are woken. Locked. */
    private void roomFreed() {
        deliverParkedWrites();
        wakePollers();
    }

    @Override
    public synchronized Executor executor() {
        if (lane == null) {
            lane = serviceThreads.lane("pipe " + id + " (" + serviceName + ")", this::closeFromHost);
        }
        return lane;
    }

    @Override
    public ServiceLimits limits() {
        return serviceThreads.limits();
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
        failParkedWrites(Errno.EIO);
        wakePollers();
    }

    private void failParkedWrites(int errno) {
        for (ParkedWrite write : parkedWrites) {
            write.completion().fail(errno);
        }
        parkedWrites.clear();
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
