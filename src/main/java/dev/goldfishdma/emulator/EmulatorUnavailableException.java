package dev.goldfishdma.emulator;

import java.io.IOException;

/**
 * The emulated device cannot be mounted here by this user in any way: no {@code /dev/fuse}, no access to it,
 * or neither the right to mount nor a {@code fusermount3} to mount instead. The message names what is
 * missing and what would provide it. Unlike other failures to start, retrying will not help until the machine
 * changes; the command-line tool reports it as "no device" (exit status 3), and the JUnit extension checks the
 * same requirements before it starts a device ({@link EmulatorRequirements}).
 */
public class EmulatorUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * With the message that says what is missing.
     *
     * @param message what is missing, and what would provide it
     */
    public EmulatorUnavailableException(String message) {
        super(message);
    }

    /**
     * With the message that says what is missing, and the failure that showed it.
     *
     * @param message what is missing, and what would provide it
     * @param cause   the failure that showed it
     */
    public EmulatorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
