package dev.goldfishdma.libc;

import java.io.IOException;

/**
 * A system call failed. Carries the call, the arguments that matter for diagnosing it, and {@code errno}
 * as a number, as its symbolic name and as the C library's text for it.
 *
 * <p>The message reads like {@code ioctl(fd=7, request=0xc0104700) failed: ENOTTY (25): Inappropriate
 * ioctl for device}, so a log line alone says what went wrong; callers that branch on the cause use
 * {@link #errno()} and compare with {@link Errno} constants, never the message.
 */
public class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final String arguments;
    private final int errno;

    /**
     * @param call      the C function, e.g. {@code "ioctl"}
     * @param arguments the arguments of interest, already formatted, e.g. {@code "fd=7, request=0xc0104700"}
     * @param errno     the {@code errno} value the call left
     */
    public ErrnoException(String call, String arguments, int errno) {
        this(call, arguments, errno, null);
    }

    /**
     * Like {@link #ErrnoException(String, String, int)}, with a sentence that explains what the error means
     * in this context (e.g. "not a goldfish pipe"), placed before the errno text.
     */
    public ErrnoException(String call, String arguments, int errno, String explanation) {
        super(message(call, arguments, errno, explanation));
        this.call = call;
        this.arguments = arguments;
        this.errno = errno;
    }

    private static String message(String call, String arguments, int errno, String explanation) {
        StringBuilder sb = new StringBuilder(call).append('(').append(arguments).append(") failed: ");
        if (explanation != null) {
            sb.append(explanation).append(": ");
        }
        return sb.append(Errno.name(errno)).append(" (").append(errno).append("): ")
                .append(Errno.describe(errno)).toString();
    }

    /** The C function that failed, e.g. {@code "open"}. */
    public String call() {
        return call;
    }

    /** The arguments of interest as formatted in the message, e.g. {@code "path=/dev/x, flags=O_RDWR"}. */
    public String arguments() {
        return arguments;
    }

    /** The {@code errno} number. */
    public int errno() {
        return errno;
    }

    /** The symbolic name of {@link #errno()}, e.g. {@code "ENOTTY"}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** The C library's description of {@link #errno()} ({@code strerror}). */
    public String strerror() {
        return Errno.describe(errno);
    }
}
