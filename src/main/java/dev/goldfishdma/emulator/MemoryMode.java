package dev.goldfishdma.emulator;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the emulated device shares a DMA region's memory with the guest's mapping of it.
 *
 * <ul>
 * <li>{@link #PASSTHROUGH}: true shared memory. Each region lives in an anonymous file (memfd) that the
 *     kernel maps straight into the guest (FUSE passthrough of mmap, Linux 6.9+, which needs CAP_SYS_ADMIN
 *     when the emulator registers the file); the emulator maps the same file, so both sides address the
 *     same pages, with no copy, no write-back and no page fault ever reaching the emulator.</li>
 * <li>{@link #PAGE_CACHE}: the fallback. The guest's mapping is the kernel's page cache of the device
 *     file, filled from the region's file and written back to it by the kernel; the host reaches the live
 *     pages with FUSE_NOTIFY_RETRIEVE and FUSE_NOTIFY_STORE (Linux 6.6+, for FUSE_DIRECT_IO_ALLOW_MMAP).</li>
 * <li>{@link #AUTO}: passthrough when the kernel offers it and registering a backing file works, else the
 *     page cache. The emulator decides once, at mount time.</li>
 * </ul>
 * The system property {@value #PROPERTY} sets the mode wherever none is given (the emulator command, the
 * emulated device the tools start, {@link EmulatorProcess}, the JUnit extension); tests use it to run in
 * either mode. The names are those of the status file's {@code memory} line ({@link EmulatorStatus}).
 */
public enum MemoryMode {
    /** Passthrough if available, else the page cache. */
    AUTO("auto"),
    /** Regions as memfds the kernel maps for the guest (FUSE passthrough). */
    PASSTHROUGH("passthrough"),
    /** Regions reached through the page cache of the device file. */
    PAGE_CACHE("page-cache");

    /** The system property that sets the {@linkplain #fromSystemProperty() default mode}. */
    public static final String PROPERTY = "goldfish.emulator.memory";

    private final String optionName;

    MemoryMode(String optionName) {
        this.optionName = optionName;
    }

    /** {@return the name options and status lines use: {@code auto}, {@code passthrough}, {@code page-cache}} */
    public String optionName() {
        return optionName;
    }

    @Override
    public String toString() {
        return optionName;
    }

    /**
     * The mode named {@code name} ({@link #optionName()}; case and {@code _} for {@code -} do not matter).
     *
     * @param name a mode's name, e.g. {@code page-cache}
     * @return the mode
     * @throws IllegalArgumentException naming the accepted values
     */
    public static MemoryMode fromOptionName(String name) {
        String normal = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (MemoryMode mode : values()) {
            if (mode.optionName.equals(normal)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown memory mode \"" + name + "\": use one of "
                + Arrays.stream(values()).map(MemoryMode::optionName).collect(Collectors.joining(", ")));
    }

    /**
     * The mode the system property {@value #PROPERTY} names.
     *
     * @return that mode, {@link #AUTO} when the property is not set
     * @throws IllegalArgumentException when the property names no mode
     */
    public static MemoryMode fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? AUTO : fromOptionName(value);
    }
}
