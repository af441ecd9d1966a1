package dev.goldfishdma.device;

import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.FileSystems;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The device file rule of {@link DriverRules}, applied to an open descriptor before anything is written to
 * it: a character device, or a regular file on the emulated device's file system.
 *
 * <p>Telling the emulated device's file system apart takes {@code /proc/self/mountinfo}, whose size grows
 * with the machine's mounts, so it is read only for a file that {@code fstatfs} puts on FUSE, and once per
 * mount: mounts found to be the emulated device's are remembered by their unique id ({@code statx}'s
 * {@code STATX_MNT_ID_UNIQUE}, Linux 6.8+), which no later mount can have. On older kernels every open of
 * a FUSE file reads it.
 */
final class DeviceFiles {
    /**
     * How many emulated device mounts are remembered; the least recently opened is forgotten first (and
     * merely looked up again). A process rarely uses more than one or two.
     */
    static final int KNOWN_MOUNTS_LIMIT = 16;

    private static final Map<Long, Boolean> KNOWN_MOUNTS = new LinkedHashMap<>(KNOWN_MOUNTS_LIMIT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > KNOWN_MOUNTS_LIMIT;
        }
    };

    private DeviceFiles() {
    }

    /**
     * Checks what {@code fd}, opened from {@code device}, is.
     *
     * @param call      the call being made, for the message, e.g. {@code "open"}
     * @param arguments its arguments, for the message
     * @throws NotADeviceException if it cannot be the device
     * @throws IOException         if the kernel cannot say what it is
     */
    static void requireDevice(int fd, Path device, String call, String arguments) throws IOException {
        FileType type = FileType.ofDescriptor(fd);
        if (type == FileType.CHARACTER_DEVICE) {
            return;
        }
        if (type == FileType.REGULAR_FILE) {
            if (onEmulatedFileSystem(fd)) {
                return;
            }
            // Refused: reading mountinfo costs nothing that matters here, and names the file system.
            String fileSystem = fileSystemType(fd);
            throw new NotADeviceException(call, arguments, device, type,
                    fileSystem == null ? "" : " on a " + fileSystem + " file system");
        }
        throw new NotADeviceException(call, arguments, device, type, "");
    }

    /** Whether the regular file {@code fd} is on a mount of the emulated device's file system type. */
    static boolean onEmulatedFileSystem(int fd) throws IOException {
        OptionalLong mount = FileSystems.uniqueMountId(fd);
        if (mount.isPresent() && known(mount.getAsLong())) {
            return true;
        }
        if (!onFuse(fd)) {
            return false;
        }
        boolean emulated = DriverRules.EMULATED_FILE_SYSTEM_TYPE.equals(fileSystemType(fd));
        if (emulated && mount.isPresent()) {
            remember(mount.getAsLong());
        }
        return emulated;
    }

    /**
     * Whether {@code fstatfs} puts {@code fd} on FUSE; also true when it fails, as on a FUSE server that does
     * not answer STATFS, so that mountinfo decides.
     */
    private static boolean onFuse(int fd) {
        try {
            return FileSystems.type(fd) == FileSystems.FUSE_SUPER_MAGIC;
        } catch (ErrnoException e) {
            return true;
        }
    }

    private static boolean known(long mount) {
        synchronized (KNOWN_MOUNTS) {
            return KNOWN_MOUNTS.get(mount) != null;
        }
    }

    private static void remember(long mount) {
        synchronized (KNOWN_MOUNTS) {
            KNOWN_MOUNTS.put(mount, Boolean.TRUE);
        }
    }

    /** {@return how many emulated device mounts are remembered now} */
    static int knownMounts() {
        synchronized (KNOWN_MOUNTS) {
            return KNOWN_MOUNTS.size();
        }
    }

    /**
     * The type of the file system {@code fd} is on, as {@code /proc/self/mountinfo} names it (e.g.
     * {@code ext4}, {@code fuse.goldfish}): the mount comes from the descriptor's mount id, so it is the
     * mount of the very file opened. Null if the kernel does not say.
     */
    static String fileSystemType(int fd) throws IOException {
        OptionalLong mount = FileSystems.mountId(fd);
        if (mount.isEmpty()) {
            return null;
        }
        String mountId = Long.toString(mount.getAsLong());
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            // "<id> <parent> <major:minor> <root> <mount point> <options> [optional fields] - <type> <source> ..."
            String[] fields = line.split(" ");
            if (fields.length > 0 && fields[0].equals(mountId)) {
                for (int i = 6; i < fields.length - 1; i++) {
                    if (fields[i].equals("-")) {
                        return fields[i + 1];
                    }
                }
            }
        }
        return null;
    }
}
