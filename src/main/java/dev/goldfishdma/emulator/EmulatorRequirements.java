package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.FuseMount;

import java.util.Optional;

/**
 * What the emulated device needs of this machine, checked without trying to mount, so that a caller can
 * say why no emulated device can start here (and a test can skip with that reason) instead of failing on
 * a mount error: Linux 6.6 or newer (FUSE's {@code direct_io_allow_mmap}), a readable and writable
 * {@code /dev/fuse}, and a way to mount it: {@code mount(2)} with {@code CAP_SYS_ADMIN} (root, or root of a
 * user namespace), else the setuid {@code fusermount3} of the distribution's {@code fuse3} package (an
 * ordinary user). The {@linkplain MemoryMode#PASSTHROUGH passthrough} memory mode, when it is asked for,
 * also needs Linux 6.9 or newer and {@code CAP_SYS_ADMIN} in the initial user namespace (root).
 */
public final class EmulatorRequirements {
    private static final int MIN_KERNEL_MAJOR = 6;
    private static final int MIN_KERNEL_MINOR = 6;
    private static final int PASSTHROUGH_KERNEL_MINOR = 9;

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
     * adds requirements (Linux 6.9, root): {@link MemoryMode#AUTO} falls back to the page cache by itself.
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
        String mount = FuseMount.unavailableReason();
        if (mount != null) {
            return Optional.of(mount);
        }
        if (memory == MemoryMode.PASSTHROUGH && !atLeast(kernel, MIN_KERNEL_MAJOR, PASSTHROUGH_KERNEL_MINOR)) {
            return Optional.of("the emulated device's passthrough memory needs Linux " + MIN_KERNEL_MAJOR + "."
                    + PASSTHROUGH_KERNEL_MINOR + " or newer (FUSE passthrough); this is " + kernel);
        }
        if (memory == MemoryMode.PASSTHROUGH && !FuseMount.privileged()) {
            return Optional.of("the emulated device's passthrough memory needs CAP_SYS_ADMIN in the initial user "
                    + "namespace (root; not an ordinary user, nor root of a user namespace)");
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

}
