package dev.goldfishdma.device;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** No goldfish pipe device exists at any of the paths tried. */
public class NoDeviceException extends NoSuchFileException {
    private static final long serialVersionUID = 1L;

    /** The paths that were tried, in order. */
    private final transient List<Path> tried;

    /** @param tried the paths that were tried, in order */
    public NoDeviceException(List<Path> tried) {
        super(tried.isEmpty() ? "" : tried.getFirst().toString(), null,
                "no goldfish pipe device found; tried " + tried.stream().map(Path::toString)
                        .collect(Collectors.joining(", ")) + " (not in an emulator guest? pass a device path)");
        this.tried = List.copyOf(tried);
    }

    /** The paths that were tried, in order. */
    public List<Path> tried() {
        return tried;
    }
}
