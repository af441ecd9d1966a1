package dev.goldfishdma.device;

/**
 * A read or write answered {@code EIO}: the host closed the pipe, because its service ended the connection
 * or because the host has no service by the name the pipe connected to. Nothing more can be read or written
 * on this pipe.
 */
public class PipeClosedByHostException extends DeviceException {
    private static final long serialVersionUID = 1L;

    PipeClosedByHostException(CallFailure failure, String explanation) {
        super(failure, explanation);
    }
}
