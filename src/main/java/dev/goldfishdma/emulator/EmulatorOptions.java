package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.model.PipeLimits;
import dev.goldfishdma.emulator.model.RegionLimits;
import dev.goldfishdma.emulator.service.RateLimitedLog;
import dev.goldfishdma.emulator.service.ServiceLimits;
import dev.goldfishdma.text.ByteSizes;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How an emulator is started: everything {@link GoldfishPipeEmulator}, {@link EmulatorProcess} and the
 * {@link EmulatorMain} command take beyond the directory and the services, with documented defaults.
 * Immutable; made with {@link #builder()} or {@link #parse(List)}, and turned back into the command's
 * arguments with {@link #toArguments()}, so that a child emulator gets exactly the options of its parent.
 */
public final class EmulatorOptions {
    /** The option that chooses the memory model, as {@link EmulatorMain} takes it. */
    public static final String MEMORY_OPTION = "--memory=";

    // ---- access, accounting and lifecycle -----------------------------------------------------------------

    /** The flag that lets other users use the device: {@link #allowOther()}. */
    public static final String ALLOW_OTHER_OPTION = "--allow-other";
    /** The flag that lets the emulator mount over a directory that is not empty: {@link #nonEmpty()}. */
    public static final String NON_EMPTY_OPTION = "--non-empty";
    /** The option that bounds the open pipes: {@link #maxPipes()}. */
    public static final String MAX_PIPES_OPTION = "--max-pipes=";
    /** The option that bounds one user's region bytes: {@link #maxRegionBytesPerUser()}. */
    public static final String MAX_REGION_BYTES_PER_USER_OPTION = "--max-region-bytes-per-user=";
    /** The option that bounds all users' region bytes: {@link #maxRegionBytes()}. */
    public static final String MAX_REGION_BYTES_OPTION = "--max-region-bytes=";
    /** The flag that ties {@link EmulatorMain} to the process that started it: {@link #exitWithParent()}. */
    public static final String EXIT_WITH_PARENT_OPTION = "--exit-with-parent";
    /** The default of {@link #maxPipes()}: 256. */
    public static final int DEFAULT_MAX_PIPES = RegionLimits.DEFAULT_MAX_PIPES;
    /** The default of {@link #maxRegionBytesPerUser()}: 1 GiB. */
    public static final long DEFAULT_MAX_REGION_BYTES_PER_USER = RegionLimits.DEFAULT_MAX_REGION_BYTES_PER_USER;
    /** The default of {@link #maxRegionBytes()}: 2 GiB. */
    public static final long DEFAULT_MAX_REGION_BYTES = RegionLimits.DEFAULT_MAX_REGION_BYTES;

    // ---- resource limits and request timeout ----------------------------------------------------------
    /** The option for the bytes a pipe queues for the guest (a size: {@code 64KiB}). */
    public static final String PIPE_BUFFER_OPTION = "--pipe-buffer=";
    /** The option for the commands a pipe's service may have queued. */
    public static final String MAX_DMA_QUEUE_OPTION = "--max-dma-queue=";
    /** The option for the number of service threads. */
    public static final String SERVICE_THREADS_OPTION = "--service-threads=";
    /** The option for the log's budget, in lines a minute. */
    public static final String LOG_RATE_OPTION = "--log-rate=";
    /** The option for the FUSE request timeout, in seconds (0: none). */
    public static final String REQUEST_TIMEOUT_OPTION = "--request-timeout=";
    /** Default {@link #pipeBufferBytes()}: 64 KiB. */
    public static final long DEFAULT_PIPE_BUFFER_BYTES = PipeLimits.DEFAULT_BUFFER_BYTES;
    /** Default {@link #maxDmaQueue()}: 16 commands. */
    public static final int DEFAULT_MAX_DMA_QUEUE = ServiceLimits.DEFAULT_QUEUED_COMMANDS;
    /** Default {@link #serviceThreads()}: 4. */
    public static final int DEFAULT_SERVICE_THREADS = ServiceLimits.DEFAULT_THREADS;
    /** Default {@link #logLinesPerMinute()}: 60. */
    public static final int DEFAULT_LOG_LINES_PER_MINUTE = RateLimitedLog.DEFAULT_LINES_PER_MINUTE;
    /** Default {@link #requestTimeoutSeconds()}: 0, no request timeout. */
    public static final int DEFAULT_REQUEST_TIMEOUT_SECONDS = 0;

    private final MemoryMode memory;
    private final boolean allowOther;
    private final boolean nonEmpty;
    private final int maxPipes;
    private final long maxRegionBytesPerUser;
    private final long maxRegionBytes;
    private final boolean exitWithParent;

    // Held as the limits themselves, which check their values: the builder's setters make them.
    private final PipeLimits pipeLimits;
    private final ServiceLimits serviceLimits;
    private final int logLinesPerMinute;
    private final int requestTimeoutSeconds;

    private EmulatorOptions(Builder builder) {
        this.memory = builder.memory;
        this.allowOther = builder.allowOther;
        this.nonEmpty = builder.nonEmpty;
        this.maxPipes = builder.maxPipes;
        this.maxRegionBytesPerUser = builder.maxRegionBytesPerUser;
        this.maxRegionBytes = builder.maxRegionBytes;
        this.exitWithParent = builder.exitWithParent;
        this.pipeLimits = builder.pipeLimits;
        this.serviceLimits = builder.serviceLimits;
        this.logLinesPerMinute = builder.logLinesPerMinute;
        this.requestTimeoutSeconds = builder.requestTimeoutSeconds;
    }

    /**
     * {@return the defaults: memory mode from the system property {@value MemoryMode#PROPERTY}, else
     * {@link MemoryMode#AUTO}}
     */
    public static EmulatorOptions defaults() {
        return builder().build();
    }

    /** {@return a builder holding the {@linkplain #defaults() defaults}} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder holding these options} */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.memory = memory;
        builder.allowOther = allowOther;
        builder.nonEmpty = nonEmpty;
        builder.maxPipes = maxPipes;
        builder.maxRegionBytesPerUser = maxRegionBytesPerUser;
        builder.maxRegionBytes = maxRegionBytes;
        builder.exitWithParent = exitWithParent;
        builder.pipeLimits = pipeLimits;
        builder.serviceLimits = serviceLimits;
        builder.logLinesPerMinute = logLinesPerMinute;
        builder.requestTimeoutSeconds = requestTimeoutSeconds;
        return builder;
    }

    /** {@return how regions are shared with the guest's mappings} */
    public MemoryMode memory() {
        return memory;
    }

    /**
     * Whether users other than the one running the emulator may use the device (default false). By default
     * the kernel lets no other user reach the mount at all, root included, and the device is mode 0600.
     * With this, the device is mode 0666: every local user can open pipes, connect to the services and
     * create regions (counted against the limits below, so one user can take the pipes and region bytes
     * others would need). Regions stay private: the {@code dma} service and every host lookup resolve only
     * the caller's own uid's regions, and the status file, which lists every user's pipes and regions, stays
     * readable by the emulator's user alone. Through fusermount3 (an ordinary user) it needs
     * {@code user_allow_other} in {@code /etc/fuse.conf}.
     *
     * @return whether other users may use the device
     */
    public boolean allowOther() {
        return allowOther;
    }

    /** {@return whether the emulator may mount over a directory that is not empty, hiding it (default false)} */
    public boolean nonEmpty() {
        return nonEmpty;
    }

    /**
     * {@return how many pipes may be open at once, all users together (default {@value #DEFAULT_MAX_PIPES});
     * an open past it fails with ENFILE}
     */
    public int maxPipes() {
        return maxPipes;
    }

    /**
     * {@return how many bytes of live regions one uid may hold (default 1 GiB); a CREATE_REGION past it
     * fails with ENOMEM}
     */
    public long maxRegionBytesPerUser() {
        return maxRegionBytesPerUser;
    }

    /**
     * {@return how many bytes of live regions all users together may hold (default 2 GiB); a CREATE_REGION
     * past it fails with ENOMEM}
     */
    public long maxRegionBytes() {
        return maxRegionBytes;
    }

    /**
     * Whether {@link EmulatorMain} ends, unmounting, when the process that started it is gone (default
     * false): when its standard input reaches its end (the parent holds the other end of a pipe, which the
     * kernel closes however the parent dies, SIGKILL included), and by {@code PR_SET_PDEATHSIG} (SIGTERM
     * when the parent's starting thread ends). {@link EmulatorProcess} always sets it; a person running the
     * command from a shell leaves it off, so that the end of a terminal's input does not stop it.
     *
     * @return whether the emulator watches its parent
     */
    public boolean exitWithParent() {
        return exitWithParent;
    }

    /**
     * {@return the bytes a pipe queues for the guest to read} A service takes no more of the guest's bytes
     * than its answers fit in, so a guest writing without reading waits (EAGAIN under O_NONBLOCK) once it is
     * full, as with a real pipe.
     */
    public long pipeBufferBytes() {
        return pipeLimits.bufferBytes();
    }

    /**
     * {@return the commands a pipe's service may have taken and not yet answered (the {@code dma} service's
     * queue)} A guest that sends more waits (EAGAIN under O_NONBLOCK) until answers go out.
     */
    public int maxDmaQueue() {
        return serviceLimits.queuedCommands();
    }

    /** {@return the threads that do every pipe's service work (a pipe never gets a thread of its own)} */
    public int serviceThreads() {
        return serviceLimits.threads();
    }

    /** {@return the limits of each pipe} */
    PipeLimits pipeLimits() {
        return pipeLimits;
    }

    /** {@return the limits of the services' work} */
    ServiceLimits serviceLimits() {
        return serviceLimits;
    }

    /**
     * {@return the most lines a minute the emulator logs about failed requests and services} The next line
     * after a gap says how many were dropped.
     */
    public int logLinesPerMinute() {
        return logLinesPerMinute;
    }

    /**
     * {@return the FUSE request timeout asked of the kernel, in seconds; 0 (the default) for none} With one,
     * the kernel (Linux 6.14 or newer; the emulator fails to start on an older one) aborts the whole
     * connection once any request has waited longer (checked every 15 s, so up to 15 s later; the kernel
     * also raises a timeout below 15 s to 15 s): every client then gets ECONNABORTED and the emulator ends.
     * It saves clients from hanging on a stopped or stuck emulator, but a guest's blocking read or write
     * that waits that long for the host is such a request too: safe only for guests that never block long
     * in read(2) or write(2), e.g. those that open the device O_NONBLOCK and wait in poll(2), as this
     * project's library does.
     */
    public int requestTimeoutSeconds() {
        return requestTimeoutSeconds;
    }

    /**
     * Reads options as {@link EmulatorMain} takes them, each {@code --name=value}; options not given keep
     * their {@linkplain #defaults() defaults}.
     *
     * @param arguments the options, without the directory
     * @return the options
     * @throws IllegalArgumentException naming the argument that is unknown or malformed, and why
     */
    public static EmulatorOptions parse(List<String> arguments) {
        Builder builder = builder();
        for (String argument : arguments) {
            if (argument.startsWith(MEMORY_OPTION)) {
                builder.memory(MemoryMode.fromOptionName(argument.substring(MEMORY_OPTION.length())));
            } else if (argument.equals(ALLOW_OTHER_OPTION)) {
                builder.allowOther(true);
            } else if (argument.equals(NON_EMPTY_OPTION)) {
                builder.nonEmpty(true);
            } else if (argument.equals(EXIT_WITH_PARENT_OPTION)) {
                builder.exitWithParent(true);
            } else if (argument.startsWith(MAX_PIPES_OPTION)) {
                String value = argument.substring(MAX_PIPES_OPTION.length());
                try {
                    builder.maxPipes(Integer.parseInt(value));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(argument + ": not a number of pipes: \"" + value + "\"", e);
                }
            } else if (argument.startsWith(MAX_REGION_BYTES_PER_USER_OPTION)) {
                builder.maxRegionBytesPerUser(size(argument, MAX_REGION_BYTES_PER_USER_OPTION));
            } else if (argument.startsWith(MAX_REGION_BYTES_OPTION)) {
                builder.maxRegionBytes(size(argument, MAX_REGION_BYTES_OPTION));
            } else if (argument.startsWith(PIPE_BUFFER_OPTION)) {
                builder.pipeBufferBytes(size(argument, PIPE_BUFFER_OPTION));
            } else if (argument.startsWith(MAX_DMA_QUEUE_OPTION)) {
                builder.maxDmaQueue(intOf(argument, MAX_DMA_QUEUE_OPTION));
            } else if (argument.startsWith(SERVICE_THREADS_OPTION)) {
                builder.serviceThreads(intOf(argument, SERVICE_THREADS_OPTION));
            } else if (argument.startsWith(LOG_RATE_OPTION)) {
                builder.logLinesPerMinute(intOf(argument, LOG_RATE_OPTION));
            } else if (argument.startsWith(REQUEST_TIMEOUT_OPTION)) {
                builder.requestTimeoutSeconds(intOf(argument, REQUEST_TIMEOUT_OPTION));
            } else {
                throw new IllegalArgumentException("unknown emulator option: " + argument);
            }
        }
        return builder.build();
    }

    private static long size(String argument, String option) {
        try {
            return ByteSizes.parse(argument.substring(option.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(argument + ": " + e.getMessage(), e);
        }
    }

    private static int intOf(String argument, String option) {
        String value = argument.substring(option.length());
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(argument + ": \"" + value + "\" is not a whole number", e);
        }
    }

    /**
     * {@return these options as {@link #parse(List)} reads them: every option that takes a value, defaults
     * included, and every flag that is set}
     */
    public List<String> toArguments() {
        List<String> arguments = new ArrayList<>();
        arguments.add(MEMORY_OPTION + memory.optionName());
        if (allowOther) {
            arguments.add(ALLOW_OTHER_OPTION);
        }
        if (nonEmpty) {
            arguments.add(NON_EMPTY_OPTION);
        }
        arguments.add(MAX_PIPES_OPTION + maxPipes);
        arguments.add(MAX_REGION_BYTES_PER_USER_OPTION + ByteSizes.format(maxRegionBytesPerUser));
        arguments.add(MAX_REGION_BYTES_OPTION + ByteSizes.format(maxRegionBytes));
        arguments.add(PIPE_BUFFER_OPTION + ByteSizes.format(pipeBufferBytes()));
        arguments.add(MAX_DMA_QUEUE_OPTION + maxDmaQueue());
        arguments.add(SERVICE_THREADS_OPTION + serviceThreads());
        arguments.add(LOG_RATE_OPTION + logLinesPerMinute);
        arguments.add(REQUEST_TIMEOUT_OPTION + requestTimeoutSeconds);
        if (exitWithParent) {
            arguments.add(EXIT_WITH_PARENT_OPTION);
        }
        return List.copyOf(arguments);
    }

    /** {@return the options {@link #parse(List)} takes, one per line, for a usage message} */
    public static String usage() {
        return "  " + MEMORY_OPTION + "auto|passthrough|page-cache   how regions are shared with the guest (default auto)"
                + "\n  " + ALLOW_OTHER_OPTION + "   let other users use the device (mode 0666; their regions stay their own)"
                + "\n  " + NON_EMPTY_OPTION + "   mount over a directory that is not empty"
                + "\n  " + MAX_PIPES_OPTION + "N   open pipes of all users (default " + DEFAULT_MAX_PIPES + "; then ENFILE)"
                + "\n  " + MAX_REGION_BYTES_PER_USER_OPTION + "SIZE   region bytes per user (default "
                + ByteSizes.format(DEFAULT_MAX_REGION_BYTES_PER_USER) + "; then ENOMEM)"
                + "\n  " + MAX_REGION_BYTES_OPTION + "SIZE   region bytes of all users (default "
                + ByteSizes.format(DEFAULT_MAX_REGION_BYTES) + "; then ENOMEM)"
                + "\n  " + EXIT_WITH_PARENT_OPTION + "   end when standard input ends or the parent process dies"
                + "\n  " + PIPE_BUFFER_OPTION + "SIZE   bytes a pipe queues for the guest (default "
                + ByteSizes.format(DEFAULT_PIPE_BUFFER_BYTES) + "); a full pipe makes writes wait"
                + "\n  " + MAX_DMA_QUEUE_OPTION + "N   commands a pipe's service may have unanswered (default "
                + DEFAULT_MAX_DMA_QUEUE + ")"
                + "\n  " + SERVICE_THREADS_OPTION + "N   threads serving every pipe's service work (default "
                + DEFAULT_SERVICE_THREADS + ")"
                + "\n  " + LOG_RATE_OPTION + "N   log lines a minute at most about failures (default "
                + DEFAULT_LOG_LINES_PER_MINUTE + ")"
                + "\n  " + REQUEST_TIMEOUT_OPTION + "S   abort the FUSE connection when a request waits S seconds"
                + " (default 0: never; Linux 6.14+; blocking reads that wait that long abort it too)";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EmulatorOptions o && toArguments().equals(o.toArguments());
    }

    @Override
    public int hashCode() {
        return toArguments().hashCode();
    }

    @Override
    public String toString() {
        return String.join(" ", toArguments());
    }

    /** Builds {@link EmulatorOptions}; starts from the {@linkplain #defaults() defaults}. */
    public static final class Builder {
        private MemoryMode memory = MemoryMode.fromSystemProperty();
        private boolean allowOther;
        private boolean nonEmpty;
        private int maxPipes = DEFAULT_MAX_PIPES;
        private long maxRegionBytesPerUser = DEFAULT_MAX_REGION_BYTES_PER_USER;
        private long maxRegionBytes = DEFAULT_MAX_REGION_BYTES;
        private boolean exitWithParent;
        private PipeLimits pipeLimits = PipeLimits.DEFAULTS;
        private ServiceLimits serviceLimits = ServiceLimits.DEFAULTS;
        private int logLinesPerMinute = DEFAULT_LOG_LINES_PER_MINUTE;
        private int requestTimeoutSeconds = DEFAULT_REQUEST_TIMEOUT_SECONDS;

        private Builder() {
        }

        /**
         * Sets how regions are shared with the guest's mappings.
         *
         * @param memory the memory mode
         * @return this builder
         */
        public Builder memory(MemoryMode memory) {
            this.memory = Objects.requireNonNull(memory, "memory");
            return this;
        }

        /**
         * Sets whether other users may use the device ({@link EmulatorOptions#allowOther()}).
         *
         * @param allowOther true to let them
         * @return this builder
         */
        public Builder allowOther(boolean allowOther) {
            this.allowOther = allowOther;
            return this;
        }

        /**
         * Sets whether a directory that is not empty may be mounted over ({@link EmulatorOptions#nonEmpty()}).
         *
         * @param nonEmpty true to allow it
         * @return this builder
         */
        public Builder nonEmpty(boolean nonEmpty) {
            this.nonEmpty = nonEmpty;
            return this;
        }

        /**
         * Sets how many pipes may be open at once ({@link EmulatorOptions#maxPipes()}).
         *
         * @param maxPipes at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code maxPipes} is less than 1
         */
        public Builder maxPipes(int maxPipes) {
            if (maxPipes < 1) {
                throw new IllegalArgumentException(MAX_PIPES_OPTION + maxPipes + ": at least 1 pipe");
            }
            this.maxPipes = maxPipes;
            return this;
        }

        /**
         * Sets how many region bytes one uid may hold ({@link EmulatorOptions#maxRegionBytesPerUser()}).
         *
         * @param bytes positive
         * @return this builder
         * @throws IllegalArgumentException when {@code bytes} is not positive
         */
        public Builder maxRegionBytesPerUser(long bytes) {
            this.maxRegionBytesPerUser = positive(MAX_REGION_BYTES_PER_USER_OPTION, bytes);
            return this;
        }

        /**
         * Sets how many region bytes all users may hold ({@link EmulatorOptions#maxRegionBytes()}).
         *
         * @param bytes positive
         * @return this builder
         * @throws IllegalArgumentException when {@code bytes} is not positive
         */
        public Builder maxRegionBytes(long bytes) {
            this.maxRegionBytes = positive(MAX_REGION_BYTES_OPTION, bytes);
            return this;
        }

        /**
         * Sets whether {@link EmulatorMain} ends with the process that started it
         * ({@link EmulatorOptions#exitWithParent()}).
         *
         * @param exitWithParent true to watch the parent
         * @return this builder
         */
        public Builder exitWithParent(boolean exitWithParent) {
            this.exitWithParent = exitWithParent;
            return this;
        }

        private static long positive(String option, long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException(option + bytes + ": at least 1 byte");
            }
            return bytes;
        }

        /**
         * Sets the bytes a pipe queues for the guest.
         *
         * @param bytes 4 KiB to 1 GiB
         * @return this builder
         * @throws IllegalArgumentException outside that range
         */
        public Builder pipeBufferBytes(long bytes) {
            this.pipeLimits = new PipeLimits(bytes);
            return this;
        }

        /**
         * Sets the commands a pipe's service may have queued.
         *
         * @param commands at least 1
         * @return this builder
         * @throws IllegalArgumentException below 1
         */
        public Builder maxDmaQueue(int commands) {
            this.serviceLimits = new ServiceLimits(serviceLimits.threads(), commands);
            return this;
        }

        /**
         * Sets the number of service threads.
         *
         * @param threads at least 1
         * @return this builder
         * @throws IllegalArgumentException below 1
         */
        public Builder serviceThreads(int threads) {
            this.serviceLimits = new ServiceLimits(threads, serviceLimits.queuedCommands());
            return this;
        }

        /**
         * Sets the log's budget.
         *
         * @param lines lines a minute, at least 1
         * @return this builder
         * @throws IllegalArgumentException below 1
         */
        public Builder logLinesPerMinute(int lines) {
            if (lines < 1) {
                throw new IllegalArgumentException("log rate: " + lines + " lines a minute; give at least 1");
            }
            this.logLinesPerMinute = lines;
            return this;
        }

        /**
         * Sets the FUSE request timeout (see {@link EmulatorOptions#requestTimeoutSeconds()}).
         *
         * @param seconds 0 (none) to 65535
         * @return this builder
         * @throws IllegalArgumentException outside that range
         */
        public Builder requestTimeoutSeconds(int seconds) {
            if (seconds < 0 || seconds > 0xffff) {
                throw new IllegalArgumentException("request timeout: " + seconds + " s; give 0 (none) to 65535");
            }
            this.requestTimeoutSeconds = seconds;
            return this;
        }

        /** {@return the options} */
        public EmulatorOptions build() {
            return new EmulatorOptions(this);
        }
    }
}
