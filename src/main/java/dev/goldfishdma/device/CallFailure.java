package dev.goldfishdma.device;

/**
 * A failed system call as {@link DeviceCalls} saw it, before it becomes the {@link DeviceException} that says
 * what it means.
 *
 * @param call             the C function, e.g. {@code "ioctl"}
 * @param arguments        its arguments of interest, formatted
 * @param target           what it acted on: a device path, or a pipe's description
 * @param errno            the {@code errno} it left
 * @param errnoName        the symbolic name of {@code errno}
 * @param errnoDescription the C library's text for {@code errno}
 */
record CallFailure(String call, String arguments, String target, int errno, String errnoName,
                   String errnoDescription) {

    /** E.g. {@code ioctl(fd=7, request=...) on goldfish pipe ... failed: explanation: ENOTTY (25): text}. */
    String message(String explanation) {
        StringBuilder sb = new StringBuilder(call).append('(').append(arguments).append(')');
        if (!arguments.contains(target)) {
            sb.append(" on ").append(target);
        }
        sb.append(" failed: ");
        if (explanation != null) {
            sb.append(explanation).append(": ");
        }
        return sb.append(errnoName).append(" (").append(errno).append("): ").append(errnoDescription).toString();
    }
}
