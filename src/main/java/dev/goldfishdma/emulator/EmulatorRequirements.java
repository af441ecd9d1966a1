package dev.goldfishdma.emulator;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the emulated device needs of this machine, checked without trying to mount, so that a caller can
 * say why no emulated device can start here (and a test can skip with that reason) instead of failing on
 * a mount error: Linux 6.6 or newer (FUSE's {@code direct_io_allow_mmap}), a readable and writable
 * {@code /dev/fuse}, and the right to mount, {@code CAP_SYS_ADMIN}; for the
 * {@linkplain MemoryMode#PASSTHROUGH passthrough} memory mode when it is asked for, also Linux 6.9 or newer.
 */
public final class EmulatorRequirements {
    private static final int MIN_KERNEL_MAJOR = 6;
    private static final int MIN_KERNEL_MINOR = 6;
    private static final int PASSTHROUGH_KERNEL_MINOR = 9;
    private static final int CAP_SYS_ADMIN = 21;

    private EmulatorRequirements() {
    }

    /**
     * The first requirement this machine does not meet, stated for a person, or empty when an emulated
     * device can start here with the {@linkplain MemoryMode#fromSystemProperty() default memory mode}.
     *
     * @return why no emulated device can start on this machine, or empty
     */
    public static Optional<String> unmet() {
        return unmet(MemoryMode.fromSystemProperty());
    }

    /**
     * The first requirement this machine does not meet for an emulated device with the memory mode
     * {@code memory}, stated for a person, or empty when it can start here. Only {@link MemoryMode#PASSTHROUGH}
     * adds a requirement (Linux 6.9): {@link MemoryMode#AUTO} falls back to the page cache by itself.
     *
     * @param memory the memory mode the emulated device would be started with
     * @return why no such emulated device can start on this machine, or empty
     */
    public static Optional<String> unmet(MemoryMode memory) {
        String kernel = System.getProperty("os.version", "");
        if (!"Linux".equals(System.getProperty("os.name")) || !atLeast(kernel, MIN_KERNEL_MAJOR, MIN_KERNEL_MINOR)) {
            return Optional.of("the emulated device needs Linux " + MIN_KERNEL_MAJOR + "." + MIN_KERNEL_MINOR
                    + " or newer (FUSE direct_io_allow_mmap); this is " + System.getProperty("os.name") + " "
                    + kernel);
        }
        Path fuse = Path.of("/dev/fuse");
        if (!Files.isReadable(fuse) || !Files.isWritable(fuse)) {
            return Optional.of("/dev/fuse is missing or not readable and writable");
        }
        if (!hasSysAdmin()) {
            return Optional.of("mounting the emulated device needs CAP_SYS_ADMIN (run as root)");
        }
        if (memory == MemoryMode.PASSTHROUGH && !atLeast(kernel, MIN_KERNEL_MAJOR, PASSTHROUGH_KERNEL_MINOR)) {
            return Optional.of("the emulated device's passthrough memory needs Linux " + MIN_KERNEL_MAJOR + "."
                    + PASSTHROUGH_KERNEL_MINOR + " or newer (FUSE passthrough); this is " + kernel);
        }
        return Optional.empty();
    }

    /** Whether a kernel release such as {@code 6.18.0-1-amd64} is at least {@code major.minor}. */
    static boolean atLeast(String release, int major, int minor) {
        String[] parts = release.split("[.-]", 3);
        try {
            int releaseMajor = Integer.parseInt(parts[0]);
            int releaseMinor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return releaseMajor > major || releaseMajor == major && releaseMinor >= minor;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean hasSysAdmin() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                    return (caps & (1L << CAP_SYS_ADMIN)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
