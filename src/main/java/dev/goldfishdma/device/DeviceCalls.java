package dev.goldfishdma.device;

import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.IoctlRequest;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * The system calls the device API makes, through the libc layer, and the one place where the libc layer's
 * {@link ErrnoException} becomes a {@link DeviceException}: the subtype that says what the error means on a
 * goldfish pipe ({@link #failure}). No other class of this package sees an {@code ErrnoException}.
 */
final class DeviceCalls {
    /** Device or resource busy: the driver's answer to a second CREATE_REGION on a pipe. */
    static final int EBUSY = Errno.EBUSY;
    /** Inappropriate ioctl for device: the answer to an ioctl request the device does not know. */
    static final int ENOTTY = Errno.ENOTTY;

    /** What {@link #read} and {@link #write} return when a non-blocking descriptor would have to wait. */
    static final long WOULD_BLOCK = -1;

    /** What a failed call was doing, for the meaning of its errno. */
    private enum Doing { OPENING, TRANSFERRING, CONTROLLING, MAPPING, OTHER }

    private DeviceCalls() {
    }

    // ---- descriptors -------------------------------------------------------------------------------------

    /**
     * Opens {@code device} read-write and close-on-exec, non-blocking if asked, and checks the device file
     * rule of {@link DriverRules} on what was opened before returning it: nothing is ever written to a
     * descriptor that did not pass it.
     *
     * <p>The first open is always non-blocking, so that a FIFO or a terminal given by mistake cannot hold it
     * up, and {@code O_NOCTTY}, so that a terminal does not become the process's; a blocking descriptor, if
     * asked for, is then opened anew from the checked one ({@code /proc/self/fd}), which reaches the very same
     * file.
     *
     * @throws NoDeviceException   if nothing at {@code device} is a device
     * @throws NotADeviceException if {@code device} is something that cannot be the device (a regular file, a
     *                             directory, a FIFO, a socket...)
     * @throws DeviceException     for any other failure, e.g. {@code EACCES}
     */
    static int open(Path device, boolean nonBlocking) throws DeviceException {
        int flags = OpenFlags.O_RDWR | OpenFlags.O_NONBLOCK | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC;
        String arguments = "path=" + device + ", flags=" + OpenFlags.describe(flags);
        int fd;
        try {
            fd = Libc.open(device.toString(), flags);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EISDIR) {
                throw new NotADeviceException("open", arguments, device, FileType.DIRECTORY, "");
            }
            if (e.errno() == Errno.ENXIO && typeOf(device) == FileType.SOCKET) {
                throw new NotADeviceException("open", arguments, device, FileType.SOCKET, "");
            }
            throw failure(e, device.toString(), device, null, Doing.OPENING);
        }
        boolean passed = false;
        try {
            DeviceFiles.requireDevice(fd, device, "open", arguments);
            passed = true;
        } catch (java.io.IOException e) {
            if (e instanceof DeviceException refused) {
                throw refused;
            }
            throw new DeviceException("open", arguments, device.toString(),
                    "cannot tell what " + device + " is: " + e.getMessage());
        } finally {
            if (!passed) {
                closeQuietly(fd);
            }
        }
        if (nonBlocking) {
            return fd;
        }
        int blockingFlags = flags & ~OpenFlags.O_NONBLOCK;
        try {
            return Libc.open("/proc/self/fd/" + fd, blockingFlags);
        } catch (ErrnoException e) {
            throw failure(new ErrnoException("open", "path=" + device + ", flags=" + OpenFlags.describe(blockingFlags),
                    e.errno()), device.toString(), device, null, Doing.OPENING);
        } finally {
            closeQuietly(fd);
        }
    }

    private static FileType typeOf(Path path) {
        try {
            return FileType.of(path);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static void closeQuietly(int fd) {
        try {
            Libc.close(fd);
        } catch (ErrnoException e) {
            // released all the same; nothing was written to it
        }
    }

    /** Closes {@code fd}, never retried; the descriptor is released even when this throws. */
    static void close(int fd, String target) throws DeviceException {
        try {
            Libc.close(fd);
        } catch (ErrnoException e) {
            throw failure(e, target, null, null, Doing.OTHER);
        }
    }

    /** A non-blocking, close-on-exec {@code pipe(2)} for waking a waiting thread: read end, write end. */
    static int[] wakeupPipe(String target) throws DeviceException {
        try {
            return Libc.pipe(OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK);
        } catch (ErrnoException e) {
            throw failure(e, target, null, null, Doing.OTHER);
        }
    }

    /** Writes one byte to a {@link #wakeupPipe}'s write end. */
    static void wake(int writeEnd, String target) throws DeviceException {
        try (Arena arena = Arena.ofConfined()) {
            Libc.write(writeEnd, arena.allocate(1));
        } catch (ErrnoException e) {
            throw failure(e, target, null, null, Doing.OTHER);
        }
    }

    // ---- reading and writing -----------------------------------------------------------------------------

    /**
     * One read into {@code buffer} (native memory).
     *
     * @return the bytes read, 0 at end of stream, {@link #WOULD_BLOCK} if a non-blocking pipe has nothing
     */
    static long read(PipeHandle pipe, MemorySegment buffer) throws DeviceException {
        try {
            return Libc.read(pipe.fd, buffer);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            throw failure(e, pipe.description, pipe.device, null, Doing.TRANSFERRING);
        }
    }

    /**
     * One write from {@code buffer} (native memory).
     *
     * @return the bytes written, {@link #WOULD_BLOCK} if a non-blocking pipe cannot take any now
     */
    static long write(PipeHandle pipe, MemorySegment buffer) throws DeviceException {
        try {
            return Libc.write(pipe.fd, buffer);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            throw failure(e, pipe.description, pipe.device, null, Doing.TRANSFERRING);
        }
    }

    /** Writes all of {@code buffer} on a blocking descriptor. */
    static void writeFully(PipeHandle pipe, MemorySegment buffer) throws DeviceException {
        try {
            Libc.writeFully(pipe.fd, buffer);
        } catch (ErrnoException e) {
            throw failure(e, pipe.description, pipe.device, null, Doing.TRANSFERRING);
        }
    }

    // ---- readiness ---------------------------------------------------------------------------------------

    /**
     * Waits up to {@code timeoutMillis} (negative: without limit) for {@code interest} on the pipe.
     *
     * @return the events {@code poll(2)} reported, empty on time-out
     */
    static Set<PipeEvent> poll(PipeHandle pipe, Set<PipeEvent> interest, int timeoutMillis) throws DeviceException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(PollFd.LAYOUT, 1);
            PollFd.set(fds, 0, pipe.fd, pollBits(interest));
            return Libc.poll(fds, 1, timeoutMillis) == 0 ? EnumSet.noneOf(PipeEvent.class)
                    : events(PollFd.revents(fds, 0));
        } catch (ErrnoException e) {
            throw failure(e, pipe.description, pipe.device, null, Doing.OTHER);
        }
    }

    /**
     * Waits until the pipe can be written ({@code write}) or read, or is in error or hung up, or
     * {@code wakeupReadEnd} becomes readable.
     */
    static void awaitReady(PipeHandle pipe, boolean write, int wakeupReadEnd) throws DeviceException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(PollFd.LAYOUT, 2);
            PollFd.set(fds, 0, pipe.fd, write ? PollFd.POLLOUT : PollFd.POLLIN);
            PollFd.set(fds, 1, wakeupReadEnd, PollFd.POLLIN);
            Libc.poll(fds, 2, -1);
        } catch (ErrnoException e) {
            throw failure(e, pipe.description, pipe.device, null, Doing.OTHER);
        }
    }

    private static short pollBits(Set<PipeEvent> interest) {
        short bits = 0;
        for (PipeEvent event : interest) {
            bits |= switch (event) {
                case READABLE -> PollFd.POLLIN;
                case WRITABLE -> PollFd.POLLOUT;
                case HANG_UP -> PollFd.POLLHUP;
                case ERROR -> PollFd.POLLERR;
            };
        }
        return bits;
    }

    private static Set<PipeEvent> events(short revents) {
        Set<PipeEvent> events = EnumSet.noneOf(PipeEvent.class);
        if ((revents & PollFd.POLLIN) != 0) {
            events.add(PipeEvent.READABLE);
        }
        if ((revents & PollFd.POLLOUT) != 0) {
            events.add(PipeEvent.WRITABLE);
        }
        if ((revents & PollFd.POLLHUP) != 0) {
            events.add(PipeEvent.HANG_UP);
        }
        if ((revents & (PollFd.POLLERR | PollFd.POLLNVAL)) != 0) {
            events.add(PipeEvent.ERROR);
        }
        return events;
    }

    // ---- ioctl -------------------------------------------------------------------------------------------

    /**
     * A DMA ioctl on the pipe; allocates nothing when it succeeds.
     *
     * @throws NotAGoldfishPipeException     on {@code ENOTTY}
     * @throws RegionAlreadyExistsException  on {@code EBUSY} from CREATE_REGION
     * @throws DeviceGoneException           when the device went away
     */
    static void ioctl(PipeHandle pipe, DmaIoctl ioctl, MemorySegment argument) throws DeviceException {
        int r = Libc.ioctlOrErrno(pipe.fd, ioctl.request(), argument);
        if (r < 0) {
            throw ioctlFailure(pipe, ioctl, -r);
        }
    }

    /** A DMA ioctl that is expected to fail at times: {@code -errno} instead of an exception. */
    static int ioctlOrErrno(PipeHandle pipe, DmaIoctl ioctl, MemorySegment argument) {
        return Libc.ioctlOrErrno(pipe.fd, ioctl.request(), argument);
    }

    /** Any ioctl request, for a probe of what the device answers: {@code -errno} instead of an exception. */
    static int ioctlOrErrno(PipeHandle pipe, long request, MemorySegment argument) {
        return Libc.ioctlOrErrno(pipe.fd, request, argument);
    }

    /** The exception for a DMA ioctl that failed with {@code errno}. */
    static DeviceException ioctlFailure(PipeHandle pipe, DmaIoctl ioctl, int errno) {
        return failure("ioctl", "fd=" + pipe.fd + ", request=" + ioctl.describe(), errno, pipe.description,
                pipe.device, ioctl, Doing.CONTROLLING);
    }

    /** E.g. {@code 0xc010473f (_IOWR('G', 63, 16))}. */
    static String describeRequest(long request) {
        return IoctlRequest.describe(request);
    }

    /** An ioctl request of the goldfish type that the driver does not know. */
    static long unknownRequest() {
        return IoctlRequest.iowr('G', 0x3f, DmaIoctl.ARGUMENT_SIZE);
    }

    // ---- mappings ----------------------------------------------------------------------------------------

    /**
     * Maps {@code size} bytes of the pipe's region, shared and read-write; with {@code prefault}, then faults
     * every page in, writable ({@code madvise(MADV_POPULATE_WRITE)}, Linux 5.14), so that first writes take
     * no page fault. Unlike {@code MAP_POPULATE}, which ignores a page that cannot be faulted in (and on some
     * devices retries a failing fault forever), it reports that page as an error: the mapping is then undone
     * and the error thrown. A kernel without it (EINVAL) prefaults nothing: the driver maps the whole region
     * at mmap time anyway.
     */
    static MemorySegment map(PipeHandle pipe, long size, boolean prefault) throws DeviceException {
        MemorySegment address;
        try {
            address = Libc.mmap(size, MmapFlags.PROT_READ | MmapFlags.PROT_WRITE, MmapFlags.MAP_SHARED, pipe.fd, 0);
        } catch (ErrnoException e) {
            throw failure(e, pipe.description, pipe.device, null, Doing.MAPPING);
        }
        if (prefault) {
            try {
                Libc.madvise(address, size, MmapFlags.MADV_POPULATE_WRITE);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EINVAL) {
                    try {
                        Libc.munmap(address, size);
                    } catch (ErrnoException unmapFailed) {
                        e.addSuppressed(unmapFailed);
                    }
                    throw failure(e, pipe.description, pipe.device, null, Doing.MAPPING);
                }
            }
        }
        return address;
    }

    /** Unmaps what {@link #map} mapped. */
    static void unmap(MemorySegment address, long size, String target) throws DeviceException {
        try {
            Libc.munmap(address, size);
        } catch (ErrnoException e) {
            throw failure(e, target, null, null, Doing.MAPPING);
        }
    }

    // ---- errors ------------------------------------------------------------------------------------------

    /** The symbolic name of {@code errno}, e.g. {@code "EBUSY"}. */
    static String errnoName(int errno) {
        return Errno.name(errno);
    }

    private static DeviceException failure(ErrnoException e, String target, Path device, DmaIoctl ioctl,
                                           Doing doing) {
        return failure(e.call(), e.arguments(), e.errno(), target, device, ioctl, doing);
    }

    /**
     * What a failed call means for the device API: the one translation of libc errors.
     *
     * @param target what the call acted on, for the message
     * @param device the device path, when known, for the explanation
     * @param ioctl  the DMA ioctl that failed, if it was one
     */
    private static DeviceException failure(String call, String arguments, int errno, String target, Path device,
                                           DmaIoctl ioctl, Doing doing) {
        CallFailure failure = new CallFailure(call, arguments, target, errno, Errno.name(errno),
                Errno.describe(errno));
        String deviceName = device != null ? device.toString() : target;
        if (doing == Doing.OPENING && (errno == Errno.ENOENT || errno == Errno.ENODEV || errno == Errno.ENXIO)) {
            return new NoDeviceException(failure, device, errno == Errno.ENOENT ? deviceName + " does not exist"
                    : deviceName + " is a device file with no device behind it");
        }
        if (doing == Doing.CONTROLLING && errno == Errno.ENOTTY) {
            return new NotAGoldfishPipeException(failure, deviceName + " is not a goldfish pipe with DMA ("
                    + ioctl.macroName() + " is unknown to it)");
        }
        if (ioctl == DmaIoctl.CREATE_REGION && errno == Errno.EBUSY) {
            return new RegionAlreadyExistsException(failure,
                    "this pipe already has a region (the driver allows one per open pipe)");
        }
        if (doing == Doing.TRANSFERRING && errno == Errno.EIO) {
            return new PipeClosedByHostException(failure, "the host closed the pipe");
        }
        if (errno == Errno.ENOTCONN || errno == Errno.ECONNABORTED
                || errno == Errno.ENODEV && (doing == Doing.TRANSFERRING || doing == Doing.CONTROLLING)) {
            return new DeviceGoneException(failure, "the device is gone (what served the device file ended, as when an "
                    + "emulated device's process stops, or the device was removed)");
        }
        return new DeviceException(failure, null);
    }
}
