package dev.goldfishdma.emulator;

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

    private final MemoryMode memory;

    private EmulatorOptions(Builder builder) {
        this.memory = builder.memory;
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
        return builder;
    }

    /** {@return how regions are shared with the guest's mappings} */
    public MemoryMode memory() {
        return memory;
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
            } else {
                throw new IllegalArgumentException("unknown emulator option: " + argument);
            }
        }
        return builder.build();
    }

    /** {@return these options as {@link #parse(List)} reads them: every option, defaults included} */
    public List<String> toArguments() {
        List<String> arguments = new ArrayList<>();
        arguments.add(MEMORY_OPTION + memory.optionName());
        return List.copyOf(arguments);
    }

    /** {@return the options {@link #parse(List)} takes, one per line, for a usage message} */
    public static String usage() {
        return "  " + MEMORY_OPTION + "auto|passthrough|page-cache   how regions are shared with the guest (default auto)";
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

        /** {@return the options} */
        public EmulatorOptions build() {
            return new EmulatorOptions(this);
        }
    }
}
