package dev.goldfishdma.emulator.fuse;

import java.io.IOException;

/**
 * FUSE cannot be mounted here by this user in any way: no {@code /dev/fuse}, no access to it, or neither the
 * right to mount nor a {@code fusermount3} to mount instead. The message names what is missing and what
 * would provide it. {@code GoldfishPipeEmulator} hands it on as the exported
 * {@code EmulatorUnavailableException}, this package being the emulator's implementation.
 */
public class FuseUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    /** With the message that says what is missing. */
    public FuseUnavailableException(String message) {
        super(message);
    }

    /** With the message that says what is missing, and the failure that showed it. */
    public FuseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
