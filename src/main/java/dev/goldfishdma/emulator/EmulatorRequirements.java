package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.FuseMount;

import java.util.Optional;

/**
 * What the emulated device needs of this machine, checked without trying to mount, so that a caller can
 * say why no emulated device can start here (and a test can skip with that reason) instead of failing on
 * a mount error: Linux 6.6 or newer (FUSE's {@code direct_io_allow_mmap}), a readable and writable
 * {@code /dev/fuse}, and a way to mount it: {@code mount(2)} with {@code CAP_SYS_ADMIN} (root, or root of a
 * user namespace), else the setuid {@code fusermount3} of the distribution's {@code fuse3} package (an
 * ordinary user).
 */
public final class EmulatorRequirements {
    private static final int MIN_KERNEL_MAJOR = 6;
    private static final int MIN_KERNEL_MINOR = 6;

    private EmulatorRequirements() {
    }

    /**
     * The first requirement this machine does not meet, stated for a person, or empty when an emulated
     * device can start here.
     *
     * @return why no emulated device can start on this machine, or empty
     */
    public static Optional<String> unmet() {
        String kernel = System.getProperty("os.version", "");
        if (!"Linux".equals(System.getProperty("os.name")) || !atLeast(kernel, MIN_KERNEL_MAJOR, MIN_KERNEL_MINOR)) {
            return Optional.of("the emulated device needs Linux " + MIN_KERNEL_MAJOR + "." + MIN_KERNEL_MINOR
                    + " or newer (FUSE direct_io_allow_mmap); this is " + System.getProperty("os.name") + " "
                    + kernel);
        }
        return Optional.ofNullable(FuseMount.unavailableReason());
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
