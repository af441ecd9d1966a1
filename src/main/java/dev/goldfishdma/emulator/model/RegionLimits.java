package dev.goldfishdma.emulator.model;

/**
 * How much of the host one emulated device lets its users take: open pipes, and bytes of DMA regions per
 * user and in all. A pipe or region past a limit is refused as the driver refuses what the machine cannot
 * give: an open past {@code maxPipes} with {@code ENFILE} (the device's table of open pipes is full, for
 * every user alike), a CREATE_REGION past either byte limit with {@code ENOMEM}.
 *
 * <p>The defaults (256 pipes, 1 GiB per user, 2 GiB in all) and the options that change them are the
 * emulator's ({@code dev.goldfishdma.emulator.EmulatorOptions}).
 *
 * @param maxPipes              open pipes of all users together
 * @param maxRegionBytesPerUser bytes of live regions one uid may hold
 * @param maxRegionBytes        bytes of live regions of all users together
 */
public record RegionLimits(int maxPipes, long maxRegionBytesPerUser, long maxRegionBytes) {
    /** The default of {@link #maxPipes()}: 256, far more than a guest's few pipes, few enough for its fds. */
    public static final int DEFAULT_MAX_PIPES = 256;
    /** The default of {@link #maxRegionBytesPerUser()}: 1 GiB. */
    public static final long DEFAULT_MAX_REGION_BYTES_PER_USER = 1L << 30;
    /** The default of {@link #maxRegionBytes()}: 2 GiB. */
    public static final long DEFAULT_MAX_REGION_BYTES = 2L << 30;
    /** The defaults. */
    public static final RegionLimits DEFAULTS =
            new RegionLimits(DEFAULT_MAX_PIPES, DEFAULT_MAX_REGION_BYTES_PER_USER, DEFAULT_MAX_REGION_BYTES);

    /**
     * Checks the limits.
     *
     * @throws IllegalArgumentException naming a limit that is not positive
     */
    public RegionLimits {
        if (maxPipes < 1) {
            throw new IllegalArgumentException("maxPipes must be at least 1, not " + maxPipes);
        }
        if (maxRegionBytesPerUser < 1) {
            throw new IllegalArgumentException("maxRegionBytesPerUser must be positive, not " + maxRegionBytesPerUser);
        }
        if (maxRegionBytes < 1) {
            throw new IllegalArgumentException("maxRegionBytes must be positive, not " + maxRegionBytes);
        }
    }
}
