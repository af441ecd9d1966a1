package dev.goldfishdma.device;

/** How a {@link GoldfishPipe} is opened. */
public enum PipeOption {
    /**
     * Open with {@code O_NONBLOCK}: a read with nothing to read, or a write the host cannot take now, returns
     * at once instead of waiting (as newer guest libraries open the device).
     */
    NON_BLOCKING
}
