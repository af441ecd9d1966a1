package dev.goldfishdma.device;

import java.io.IOException;

/** A {@link RegionManager} could not hand out a region within its byte limit in the time allowed. */
public class RegionLimitException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception saying why no region could be had.
     *
     * @param message what was asked, what is in use, and the limit
     */
    public RegionLimitException(String message) {
        super(message);
    }
}
