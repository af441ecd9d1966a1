package dev.goldfishdma.emulator.model;

/**
 * The limits of one pipe.
 *
 * @param bufferBytes the bytes a pipe queues for the guest to read (default {@value #DEFAULT_BUFFER_BYTES}, as a
 *                    Linux pipe): services take no more of the guest's bytes than their answers can fill, so a
 *                    guest that writes without reading waits (EAGAIN under O_NONBLOCK) once it is full
 */
public record PipeLimits(long bufferBytes) {
    /** The default pipe buffer: 64 KiB. */
    public static final long DEFAULT_BUFFER_BYTES = 64 * 1024;
    /** The smallest pipe buffer: one page, 4 KiB. */
    public static final long MIN_BUFFER_BYTES = 4096;
    /** The largest pipe buffer: 1 GiB. */
    public static final long MAX_BUFFER_BYTES = 1L << 30;
    /** The defaults. */
    public static final PipeLimits DEFAULTS = new PipeLimits(DEFAULT_BUFFER_BYTES);

    /**
     * Checks the limits.
     *
     * @throws IllegalArgumentException when {@code bufferBytes} is outside 4 KiB to 1 GiB
     */
    public PipeLimits {
        if (bufferBytes < MIN_BUFFER_BYTES || bufferBytes > MAX_BUFFER_BYTES) {
            throw new IllegalArgumentException("pipe buffer: " + bufferBytes + " bytes; give 4KiB to 1GiB");
        }
    }
}
