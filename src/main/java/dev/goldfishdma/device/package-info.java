/**
 * The goldfish pipe device and its DMA regions.
 *
 * <ul>
 *   <li>{@link dev.goldfishdma.device.GoldfishPipe}: one connection to a host service (every open of the
 *       device is a new pipe), a {@link java.nio.channels.ByteChannel} with blocking and non-blocking modes and
 *       {@code poll} readiness.</li>
 *   <li>{@link dev.goldfishdma.device.DmaRegion}: the physically contiguous, host-visible region a pipe may
 *       hold, mapped as a {@link java.lang.foreign.MemorySegment} that lives exactly as long as the region;
 *       bounds-checked bulk copies, a lock guard, the physical address for the host.</li>
 *   <li>{@link dev.goldfishdma.device.RegionManager}: a pool of regions for an application (one pipe each,
 *       as the driver requires) under a byte limit; {@link dev.goldfishdma.device.StagingAllocator} packs many
 *       small buffers into one region.</li>
 *   <li>{@link dev.goldfishdma.device.DriverRules}: the driver's rules in one place (device paths, connect
 *       string, service names, region sizes), checked here before any system call.</li>
 *   <li>{@link dev.goldfishdma.device.DeviceProbe}: the driver's steps one system call at a time, each
 *       answer compared with the driver's, for telling what a device file is.</li>
 * </ul>
 *
 * <p>Every call takes the device's path; which device to use (a path given, the real device, an emulated
 * one) is chosen by {@code dev.goldfishdma.emulator.AvailableDevice}, not here.
 *
 * <p>An upload, end to end: write into a region, tell the host its physical address, let the host check. The
 * service here is the {@code dma} checksum service of the emulated device
 * ({@link dev.goldfishdma.service.DmaServiceProtocol}); a real host service has a protocol of its own. The
 * program takes the real device when there is one, else starts an emulated one
 * ({@link dev.goldfishdma.emulator.AvailableDevice}); it is the README's example, which the project's
 * consumer build compiles and runs against the installed library.
 * {@snippet class="example.upload.Upload"}
 *
 * <p>Errors: a failing system call is a {@link dev.goldfishdma.device.DeviceException} (an
 * {@link java.io.IOException}) naming the call, its arguments, the device or pipe, and {@code errno} (number and
 * symbolic name); the cases callers tell apart have their own subtypes: {@link dev.goldfishdma.device.NoDeviceException}
 * (nothing at the path), {@link dev.goldfishdma.device.NotADeviceException} (the path is a regular file, a
 * directory, a FIFO, a socket: refused before anything is written, by the device file rule of
 * {@link dev.goldfishdma.device.DriverRules}), {@link dev.goldfishdma.device.NotAGoldfishPipeException} (the
 * device knows no DMA ioctl), {@link dev.goldfishdma.device.RegionAlreadyExistsException} (one region per pipe),
 * {@link dev.goldfishdma.device.PipeClosedByHostException} (the host ended the pipe) and
 * {@link dev.goldfishdma.device.DeviceGoneException} (the device went away under an open pipe). Arguments the
 * driver would refuse are refused before any call with an {@link java.lang.IllegalArgumentException} that states
 * the rule ({@link dev.goldfishdma.device.DriverRules}); out-of-range offsets and lengths are
 * {@link java.lang.IndexOutOfBoundsException}s; use after close is an {@link java.lang.IllegalStateException}
 * (regions) or a {@link java.nio.channels.ClosedChannelException} (pipes).
 *
 * <p>Below this package is the libc layer ({@code dev.goldfishdma.libc}); only the package-private
 * {@code DeviceCalls} calls it, and turns its errors into the types above.
 *
 * <p>What the C peer (AOSP goldfish-opengl's {@code goldfish_dma.cpp}) leaves to its callers, this package
 * does: it checks bounds, reports every ioctl error, uses 64-bit sizes, is safe to use from many threads, and
 * never lets a mapping outlive its region.
 */
package dev.goldfishdma.device;
