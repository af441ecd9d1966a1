package dev.goldfishdma.device;

import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.libc.Libc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The goldfish pipe driver's rules, in one place: where guest images put the device, how a pipe connects to
 * a host service, which region sizes {@code CREATE_REGION} accepts. The device API checks them before any system call, the command-line
 * tool checks them before it starts anything, and the emulated device enforces the same ones.
 *
 * <p>The device file rule: before anything is written to a path given as the device, the opened descriptor
 * must be a character device (the driver's node is a misc device), or a regular file on a file system of type
 * {@value #EMULATED_FILE_SYSTEM_TYPE} (the emulated device, which FUSE serves as a file). Anything else (an
 * ordinary file, a directory, a FIFO, a socket, a block device) is closed untouched and refused with a
 * {@link NotADeviceException} that says what it is. Symbolic links are followed, as device nodes are often
 * reached through one; the check is made on what was opened, so nothing swapped in after it gets written.
 */
public final class DriverRules {
    /**
     * Where guest images put the device, most recent naming first: {@code /dev/goldfish_pipe},
     * {@code /dev/goldfish_pipe_dprctd} (images since November 2022), {@code /dev/qemu_pipe} (old images).
     * Which one to use is chosen by {@code dev.goldfishdma.emulator.AvailableDevice}.
     */
    public static final List<Path> DEVICE_PATHS = List.of(
            Path.of("/dev/goldfish_pipe"), Path.of("/dev/goldfish_pipe_dprctd"), Path.of("/dev/qemu_pipe"));

    /**
     * The file system type of the emulated device's mount ({@code fuse.goldfish}, as {@code /proc/self/mountinfo}
     * shows it). The driver's node is a character device; the emulated device is a regular file, and a regular
     * file is taken for the device only on a file system of this type (the device file rule, in the class
     * documentation).
     */
    public static final String EMULATED_FILE_SYSTEM_TYPE = "fuse.goldfish";

    /** The largest region the driver creates: 256 MiB. */
    public static final long MAX_REGION_SIZE = 256L * 1024 * 1024;

    /**
     * The region the guest's GL library creates ({@code GOLDFISH_DMA_BUFFER_SIZE} in the driver's header),
     * 32 MiB: the size the tool and the benchmarks use by default.
     */
    public static final long DMA_BUFFER_SIZE = GoldfishDma.GOLDFISH_DMA_BUFFER_SIZE();

    /** The longest service name accepted, in UTF-8 bytes; host services have short names. */
    public static final int MAX_SERVICE_NAME_BYTES = 120;

    /** What a connect string starts with: a pipe connects by writing {@code "pipe:<service>\0"}. */
    public static final String CONNECT_PREFIX = "pipe:";

    private DriverRules() {
    }

    /** {@return the page size, the unit of every region size} */
    public static long pageSize() {
        return Libc.PAGE_SIZE;
    }

    /**
     * Whether {@code CREATE_REGION} accepts {@code size}: a multiple of the page size, from one page to
     * {@link #MAX_REGION_SIZE}.
     *
     * @param size a region size in bytes
     * @return whether the driver accepts it
     */
    public static boolean isRegionSize(long size) {
        long page = Libc.PAGE_SIZE;
        return size >= page && size <= MAX_REGION_SIZE && size % page == 0;
    }

    /**
     * Checks the region size rule ({@link #isRegionSize}).
     *
     * @param size a region size in bytes
     * @throws IllegalArgumentException stating the rule and the size given
     */
    public static void checkRegionSize(long size) {
        if (!isRegionSize(size)) {
            long page = Libc.PAGE_SIZE;
            throw new IllegalArgumentException("region size " + size + " is not allowed: the driver takes a multiple"
                    + " of the page size (" + page + ") from " + page + " to " + MAX_REGION_SIZE + " bytes (256 MiB)");
        }
    }

    /**
     * The smallest region size that holds {@code bytes}.
     *
     * @param bytes how many bytes the region must hold
     * @return {@code bytes} rounded up to whole pages
     * @throws IllegalArgumentException if {@code bytes} is not from 1 to {@link #MAX_REGION_SIZE}
     */
    public static long regionSizeFor(long bytes) {
        if (bytes <= 0 || bytes > MAX_REGION_SIZE) {
            throw new IllegalArgumentException("no region holds " + bytes + " bytes: sizes run from 1 to "
                    + MAX_REGION_SIZE);
        }
        long page = Libc.PAGE_SIZE;
        return (bytes + page - 1) / page * page;
    }

    /**
     * Checks the service name rule: 1 to {@link #MAX_SERVICE_NAME_BYTES} bytes of UTF-8, no NUL.
     *
     * @param service the service name
     * @throws IllegalArgumentException naming what is wrong with {@code service}
     * @throws NullPointerException     if {@code service} is null
     */
    public static void checkServiceName(String service) {
        Objects.requireNonNull(service, "service");
        if (service.isEmpty()) {
            throw new IllegalArgumentException("service name is empty");
        }
        if (service.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("service name contains a NUL character: "
                    + service.replace("\0", "\\0"));
        }
        int length = service.getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SERVICE_NAME_BYTES) {
            throw new IllegalArgumentException("service name is " + length + " bytes long; at most "
                    + MAX_SERVICE_NAME_BYTES + " are accepted");
        }
    }

    /**
     * The bytes a pipe writes to connect to {@code service}: {@code "pipe:<service>\0"} in UTF-8.
     *
     * @param service the service name
     * @return the connect string, NUL included
     * @throws IllegalArgumentException if {@code service} breaks the service name rule
     */
    public static byte[] connectString(String service) {
        checkServiceName(service);
        return (CONNECT_PREFIX + service + "\0").getBytes(StandardCharsets.UTF_8);
    }
}
