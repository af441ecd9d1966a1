package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.model.PipeLimits;
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

    private final long pipeBufferBytes;
    private final int maxDmaQueue;
    private final int serviceThreads;
    private final int logLinesPerMinute;
    private final int requestTimeoutSeconds;

    private EmulatorOptions(Builder builder) {
        this.memory = builder.memory;
        this.pipeBufferBytes = builder.pipeBufferBytes;
        this.maxDmaQueue = builder.maxDmaQueue;
        this.serviceThreads = builder.serviceThreads;
        this.logLinesPerMinute = builder.logLinesPerMinute;
        this.requestTimeoutSeconds = builder.requestTimeoutSeconds;
    }

    /**
     * {@return the defaults: memory mode from the system property {@value MemoryMode#PROPERTY}, else
     * {@link MemoryMode#AUTO}; a 64 KiB pipe buffer, 16 queued commands per pipe, 4 service threads, 60 log
     * lines a minute, no request timeout}
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
        builder.pipeBufferBytes = pipeBufferBytes;
        builder.maxDmaQueue = maxDmaQueue;
        builder.serviceThreads = serviceThreads;
        builder.logLinesPerMinute = logLinesPerMinute;
        builder.requestTimeoutSeconds = requestTimeoutSeconds;
        return builder;
    }

    /** {@return how regions are shared with the guest's mappings} */
    public MemoryMode memory() {
        return memory;
    }

    /**
     * {@return the bytes a pipe queues for the guest to read} A service takes no more of the guest's bytes
     * than its answers fit in, so a guest writing without reading waits (EAGAIN under O_NONBLOCK) once it is
     * full, as with a real pipe.
     */
    public long pipeBufferBytes() {
        return pipeBufferBytes;
    }

    /**
     * {@return the commands a pipe's service may have taken and not yet answered (the {@code dma} service's
     * queue)} A guest that sends more waits (EAGAIN under O_NONBLOCK) until answers go out.
     */
    public int maxDmaQueue() {
        return maxDmaQueue;
    }

    /** {@return the threads that do every pipe's service work (a pipe never gets a thread of its own)} */
    public int serviceThreads() {
        return serviceThreads;
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
            } else if (argument.startsWith(PIPE_BUFFER_OPTION)) {
                builder.pipeBufferBytes(ByteSizes.parse(valueOf(argument, PIPE_BUFFER_OPTION)));
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

    private static String valueOf(String argument, String option) {
        return argument.substring(option.length());
    }

    private static int intOf(String argument, String option) {
        String value = valueOf(argument, option);
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(argument + ": \"" + value + "\" is not a whole number");
        }
    }

    /** {@return these options as {@link #parse(List)} reads them: every option, defaults included} */
    public List<String> toArguments() {
        List<String> arguments = new ArrayList<>();
        arguments.add(MEMORY_OPTION + memory.optionName());
        arguments.add(PIPE_BUFFER_OPTION + ByteSizes.format(pipeBufferBytes));
        arguments.add(MAX_DMA_QUEUE_OPTION + maxDmaQueue);
        arguments.add(SERVICE_THREADS_OPTION + serviceThreads);
        arguments.add(LOG_RATE_OPTION + logLinesPerMinute);
        arguments.add(REQUEST_TIMEOUT_OPTION + requestTimeoutSeconds);
        return List.copyOf(arguments);
    }

    /** {@return the options {@link #parse(List)} takes, one per line, for a usage message} */
    public static String usage() {
        return String.join("\n",
                "  " + MEMORY_OPTION + "auto|passthrough|page-cache   how regions are shared with the guest (default auto)",
                "  " + PIPE_BUFFER_OPTION + "SIZE       bytes a pipe queues for the guest (default 64KiB); a full pipe"
                        + " makes writes wait",
                "  " + MAX_DMA_QUEUE_OPTION + "N      commands a pipe's service may have unanswered (default 16)",
                "  " + SERVICE_THREADS_OPTION + "N    threads serving every pipe's service work (default 4)",
                "  " + LOG_RATE_OPTION + "N           log lines a minute at most about failures (default 60)",
                "  " + REQUEST_TIMEOUT_OPTION + "S    abort the FUSE connection when a request waits S seconds"
                        + " (default 0: never; Linux 6.14+; aborts on blocking reads that wait that long too)");
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
        private long pipeBufferBytes = DEFAULT_PIPE_BUFFER_BYTES;
        private int maxDmaQueue = DEFAULT_MAX_DMA_QUEUE;
        private int serviceThreads = DEFAULT_SERVICE_THREADS;
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
         * Sets the bytes a pipe queues for the guest.
         *
         * @param bytes 4 KiB to 1 GiB
         * @return this builder
         * @throws IllegalArgumentException outside that range
         */
        public Builder pipeBufferBytes(long bytes) {
            new PipeLimits(bytes);
            this.pipeBufferBytes = bytes;
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
            new ServiceLimits(ServiceLimits.DEFAULT_THREADS, commands);
            this.maxDmaQueue = commands;
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
            new ServiceLimits(threads, ServiceLimits.DEFAULT_QUEUED_COMMANDS);
            this.serviceThreads = threads;
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
