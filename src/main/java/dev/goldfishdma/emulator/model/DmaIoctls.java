package dev.goldfishdma.emulator.model;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.gen.dma.goldfish_dma_ioctl_info;
import dev.goldfishdma.libc.Errno;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.function.BooleanSupplier;

/**
 * What the goldfish DMA ioctls do on a pipe of the emulated device: {@code LOCK}, {@code UNLOCK},
 * {@code GETOFF} and {@code CREATE_REGION}, each an {@code _IOWR('G', n, struct goldfish_dma_ioctl_info)},
 * as the driver ({@code goldfish_pipe_v2.c}) does them; any other request is ENOTTY.
 *
 * <p>The argument arrives as the bytes the kernel copied in from the caller, and the answer says what to
 * copy back: a request whose argument was not copied in (or cannot be copied out) whole is not one of
 * these, hence ENOTTY; a bad pointer never gets here (the kernel fails the copy with EFAULT).
 */
public final class DmaIoctls {
    private static final long LOCK = GoldfishDma.GOLDFISH_DMA_IOC_LOCK() & 0xffff_ffffL;
    private static final long UNLOCK = GoldfishDma.GOLDFISH_DMA_IOC_UNLOCK() & 0xffff_ffffL;
    private static final long GETOFF = GoldfishDma.GOLDFISH_DMA_IOC_GETOFF() & 0xffff_ffffL;
    private static final long CREATE_REGION = GoldfishDma.GOLDFISH_DMA_IOC_CREATE_REGION() & 0xffff_ffffL;
    private static final long INFO_SIZE = goldfish_dma_ioctl_info.sizeof();

    private DmaIoctls() {
    }

    /**
     * Carries out ioctl {@code request} on {@code pipe}.
     *
     * @param request        the request number, as an unsigned 32-bit value
     * @param argument       the bytes the kernel copied in from the caller's argument (none for a request
     *                       without {@code _IOC_WRITE})
     * @param outCapacity    how many bytes the kernel copies back to the caller's argument
     * @param allocator      where an answer to copy out is allocated
     * @param callerMapsPipe whether the calling process has the pipe's region mapped (asked only by GETOFF,
     *                       for a region without an address yet)
     */
    public static IoctlResult apply(EmulatedPipe pipe, long request, MemorySegment argument, long outCapacity,
                                    SegmentAllocator allocator, BooleanSupplier callerMapsPipe) {
        if (request == LOCK) {
            return lock();
        } else if (request == UNLOCK) {
            return unlock(pipe);
        } else if (request == GETOFF && outCapacity >= INFO_SIZE) {
            return getOff(pipe, allocator, callerMapsPipe);
        } else if (request == CREATE_REGION && argument.byteSize() >= INFO_SIZE) {
            return createRegion(pipe, goldfish_dma_ioctl_info.size(argument));
        }
        return IoctlResult.failed(Errno.ENOTTY);
    }

    /** LOCK: the driver does nothing and returns 0; so does the emulator. */
    private static IoctlResult lock() {
        return IoctlResult.ok();
    }

    /**
     * UNLOCK: the driver only wakes the pipe's wait queue. Here that wakes pollers; parked reads keep
     * waiting for data, as they would after the driver's wake-up found nothing to read.
     */
    private static IoctlResult unlock(EmulatedPipe pipe) {
        pipe.wakePollers();
        return IoctlResult.ok();
    }

    /**
     * GETOFF: {@code {phys_begin, size}} of the pipe's region: {@code {0, 0}} without one, {@code {0, size}}
     * until it is mapped, then its physical address, as the driver answers. The emulator is not told of
     * mmap, so the first GETOFF that finds the region mapped by the caller gives it its address
     * ({@link EmulatedRegion#assignPhys()}).
     */
    private static IoctlResult getOff(EmulatedPipe pipe, SegmentAllocator allocator, BooleanSupplier callerMapsPipe) {
        MemorySegment info = goldfish_dma_ioctl_info.allocate(allocator);
        EmulatedRegion region = pipe.region();
        if (region != null && region.phys() == 0 && callerMapsPipe.getAsBoolean()) {
            region.assignPhys();
        }
        goldfish_dma_ioctl_info.phys_begin(info, region == null ? 0 : region.phys());
        goldfish_dma_ioctl_info.size(info, region == null ? 0 : region.size());
        return IoctlResult.ok(info);
    }

    /**
     * CREATE_REGION: EINVAL unless {@code size} passes the driver's region size rule
     * ({@link DriverRules#isRegionSize}); EBUSY when the pipe has a region already (one per open pipe: more
     * regions need more opens); ENOMEM when its memory cannot be set up; otherwise the region is created in
     * the pipe's {@link RegionFile}; its physical address comes when it is mapped (see GETOFF). It lives
     * until the pipe is released. Nothing is copied back.
     */
    private static IoctlResult createRegion(EmulatedPipe pipe, long size) {
        if (!DriverRules.isRegionSize(size)) {
            return IoctlResult.failed(Errno.EINVAL);
        }
        int errno = pipe.attachRegion(size);
        return errno == 0 ? IoctlResult.ok() : IoctlResult.failed(errno);
    }
}
