package dev.goldfishdma.device;

import java.nio.file.Path;

/**
 * There is no device at the path given: opening it answered {@code ENOENT} (nothing there), or {@code ENODEV}
 * or {@code ENXIO} (a device file with no device behind it).
 */
public class NoDeviceException extends DeviceException {
    private static final long serialVersionUID = 1L;

    /** The path that names no device (a string: {@link Path} is not serializable). */
    private final String path;

    NoDeviceException(CallFailure failure, Path path, String explanation) {
        super(failure, explanation);
        this.path = path.toString();
    }

    /** {@return the path that names no device} */
    public Path path() {
        return Path.of(path);
    }
}
