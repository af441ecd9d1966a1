package dev.goldfishdma.device;

import java.nio.file.Path;

/**
 * The path given as the device names something that cannot be the goldfish pipe device: a regular file
 * outside the emulated device's file system, a directory, a FIFO, a socket, a block device. Nothing was
 * written to it (the device file rule, in {@link DriverRules}). No system call failed, so {@link #errno()} is
 * 0; the message says what the path is.
 */
public class NotADeviceException extends DeviceException {
    private static final long serialVersionUID = 1L;

    /** The path given as the device (a string: {@link Path} is not serializable). */
    private final String path;
    /** What the path is. */
    private final FileType type;

    NotADeviceException(String call, String arguments, Path path, FileType type, String detail) {
        super(call, arguments, path.toString(), path + " is " + type.description() + detail
                + ", not the goldfish pipe device (a character device, or the emulated device's file on a "
                + DriverRules.EMULATED_FILE_SYSTEM_TYPE + " file system); it was left untouched");
        this.path = path.toString();
        this.type = type;
    }

    /** {@return the path given as the device} */
    public Path path() {
        return Path.of(path);
    }

    /** {@return what the path is} */
    public FileType fileType() {
        return type;
    }
}
