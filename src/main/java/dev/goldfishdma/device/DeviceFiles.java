package dev.goldfishdma.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The device file rule of {@link DriverRules}, applied to an open descriptor before anything is written to
 * it: a character device, or a regular file on the emulated device's file system.
 */
final class DeviceFiles {
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
            String fileSystem = fileSystemType(fd);
            if (DriverRules.EMULATED_FILE_SYSTEM_TYPE.equals(fileSystem)) {
                return;
            }
            throw new NotADeviceException(call, arguments, device, type,
                    fileSystem == null ? "" : " on a " + fileSystem + " file system");
        }
        throw new NotADeviceException(call, arguments, device, type, "");
    }

    /**
     * The type of the file system {@code fd} is on, as {@code /proc/self/mountinfo} names it (e.g.
     * {@code ext4}, {@code fuse.goldfish}): the mount comes from the descriptor's {@code mnt_id}, so it is the
     * mount of the very file opened. Null if the kernel does not say.
     */
    static String fileSystemType(int fd) throws IOException {
        String mountId = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("mnt_id:")) {
                mountId = line.substring("mnt_id:".length()).strip();
            }
        }
        if (mountId == null) {
            return null;
        }
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        for (String line : mounts) {
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
