package dev.goldfishdma.device;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where guest images put the goldfish pipe device. */
public final class DevicePaths {
    /**
     * The known paths, most recent naming first: {@code /dev/goldfish_pipe}, {@code /dev/goldfish_pipe_dprctd}
     * (images since November 2022), {@code /dev/qemu_pipe} (old images).
     */
    public static final List<Path> KNOWN = List.of(
            Path.of("/dev/goldfish_pipe"), Path.of("/dev/goldfish_pipe_dprctd"), Path.of("/dev/qemu_pipe"));

    private DevicePaths() {
    }

    /** The first of {@link #KNOWN} that exists, if any. */
    public static Optional<Path> find() {
        return KNOWN.stream().filter(Files::exists).findFirst();
    }
}
