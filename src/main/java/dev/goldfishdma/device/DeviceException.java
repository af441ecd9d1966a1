package dev.goldfishdma.device;

import java.io.IOException;

/**
 * A system call on the goldfish pipe device failed. Carries what a caller needs to act on it or report it:
 * the call ({@code "ioctl"}), its arguments, what it acted on (the device path or the pipe), and {@code errno}
 * as a number and a symbolic name.
 *
 * <p>The message reads like {@code open(path=/dev/goldfish_pipe, flags=O_RDWR|O_NONBLOCK|O_CLOEXEC) failed:
 * EACCES (13): Permission denied} or {@code ioctl(fd=7, request=GOLDFISH_DMA_IOC_LOCK = 0xc0104700 (_IOWR('G', 0,
 * 16))) on goldfish pipe /dev/goldfish_pipe (service opengles, fd 7) failed: the device is gone: ECONNABORTED
 * (103): Software caused connection abort}, so a log line alone says what went wrong. The cases a caller must tell apart have their
 * own types, so that no caller compares {@code errno} numbers: {@link NoDeviceException},
 * {@link NotAGoldfishPipeException}, {@link RegionAlreadyExistsException}, {@link PipeClosedByHostException},
 * {@link DeviceGoneException}.
 */
public class DeviceException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The C function that failed. */
    private final String call;
    /** The call's arguments of interest. */
    private final String arguments;
    /** What the call acted on. */
    private final String target;
    /** The errno number. */
    private final int errno;
    /** The errno's symbolic name. */
    private final String errnoName;
    /** The C library's text for the errno. */
    private final String errnoDescription;

    /**
     * @param failure     the failed call, as the device layer saw it
     * @param explanation what the error means here (e.g. "/dev/null is not a goldfish pipe with DMA"), placed
     *                    before the errno; null for none
     */
    DeviceException(CallFailure failure, String explanation) {
        super(failure.message(explanation));
        this.call = failure.call();
        this.arguments = failure.arguments();
        this.target = failure.target();
        this.errno = failure.errno();
        this.errnoName = failure.errnoName();
        this.errnoDescription = failure.errnoDescription();
    }

    /**
     * A refusal that is no failed call: {@code call(arguments) refused: explanation}, errno 0.
     *
     * @param explanation what is wrong, in words
     */
    DeviceException(String call, String arguments, String target, String explanation) {
        super(call + "(" + arguments + ") refused: " + explanation);
        this.call = call;
        this.arguments = arguments;
        this.target = target;
        this.errno = 0;
        this.errnoName = "";
        this.errnoDescription = "";
    }

    /** {@return the C function that failed, e.g. {@code "ioctl"}} */
    public String call() {
        return call;
    }

    /**
     * {@return the call's arguments of interest, as in the message, e.g.
     * {@code "fd=7, request=GOLDFISH_DMA_IOC_GETOFF"}}
     */
    public String arguments() {
        return arguments;
    }

    /** {@return what the call acted on: the device path, or the pipe (path, service and descriptor)} */
    public String target() {
        return target;
    }

    /** {@return the {@code errno} number the call left; 0 when no call failed ({@link NotADeviceException})} */
    public int errno() {
        return errno;
    }

    /** {@return the symbolic name of {@link #errno()}, e.g. {@code "ENOTTY"}} */
    public String errnoName() {
        return errnoName;
    }

    /** {@return the C library's text for {@link #errno()} ({@code strerror}), e.g. "Inappropriate ioctl for device"} */
    public String errnoDescription() {
        return errnoDescription;
    }
}
