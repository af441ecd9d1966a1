package dev.goldfishdma.emulator.service;

/**
 * The limits of the host side: how many threads serve every pipe's service work, and how much work one
 * pipe may have queued.
 *
 * @param threads        the service threads, shared by all pipes (default {@value #DEFAULT_THREADS}); a pipe
 *                       never has a thread of its own
 * @param queuedCommands the tasks one pipe may have queued for those threads: for the {@code dma} service,
 *                       the commands it has taken and not yet answered (default {@value #DEFAULT_QUEUED_COMMANDS});
 *                       a guest that sends more waits (or gets EAGAIN) until answers go out
 */
public record ServiceLimits(int threads, int queuedCommands) {
    /** Default service threads: 4. */
    public static final int DEFAULT_THREADS = 4;
    /** Default queued commands per pipe: 16. */
    public static final int DEFAULT_QUEUED_COMMANDS = 16;
    /** The defaults. */
    public static final ServiceLimits DEFAULTS = new ServiceLimits(DEFAULT_THREADS, DEFAULT_QUEUED_COMMANDS);

    /**
     * Checks the limits.
     *
     * @throws IllegalArgumentException when a limit is below 1
     */
    public ServiceLimits {
        if (threads < 1) {
            throw new IllegalArgumentException("service threads: " + threads + "; give at least 1");
        }
        if (queuedCommands < 1) {
            throw new IllegalArgumentException("queued commands per pipe: " + queuedCommands + "; give at least 1");
        }
    }
}
