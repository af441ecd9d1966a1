package dev.goldfishdma.cli;

import dev.goldfishdma.device.NoDeviceException;
import dev.goldfishdma.device.NotADeviceException;
import dev.goldfishdma.device.NotAGoldfishPipeException;
import dev.goldfishdma.emulator.EmulatorUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command-line tool: {@code goldfish-dma probe | transfer | bench | emulator}. */
@Command(name = "goldfish-dma", mixinStandardHelpOptions = true, versionProvider = GoldfishDmaCli.Version.class,
        subcommands = {ProbeCommand.class, TransferCommand.class, BenchCommand.class, EmulatorCommand.class},
        description = {"Use the Android emulator's goldfish DMA device from Java: probe it, move data to the host "
                + "through it, time it, or serve an emulated one.",
                "With no device present and no --device, commands start an emulated device for the run."})
public final class GoldfishDmaCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final boolean terminal;

    private GoldfishDmaCli(boolean terminal) {
        this.terminal = terminal;
    }

    /** Runs the tool and exits with its exit code; progress is shown when it runs on a terminal. */
    public static void main(String[] args) {
        java.io.Console console = System.console();
        System.exit(commandLine(console != null && console.isTerminal()).execute(args));
    }

    /** Runs the tool and returns its exit code, for tests and embedding; no progress is shown. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The tool's command line, with its error handling, for callers that set their own output streams; it
     * shows no progress, as its output is not taken to be a terminal.
     */
    public static CommandLine commandLine() {
        return commandLine(false);
    }

    /** Whether the tool's output is a terminal, where progress is shown. */
    boolean terminal() {
        return terminal;
    }

    private static CommandLine commandLine(boolean terminal) {
        CommandLine cli = new CommandLine(new GoldfishDmaCli(terminal));
        // One exit code table, the same under every command's --help.
        cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCode.helpList());
        for (CommandLine sub : cli.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n")
                    .exitCodeList(ExitCode.helpList());
        }
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String name = commandLine.getCommandName();
            commandLine.getErr().println(name + ": " + e.getMessage());
            commandLine.getErr().flush();
            if (e instanceof NoDeviceException || e instanceof EmulatorUnavailableException) {
                return ExitCode.NO_DEVICE.code();
            }
            if (e instanceof NotAGoldfishPipeException || e instanceof NotADeviceException) {
                return ExitCode.NOT_A_GOLDFISH_PIPE.code();
            }
            if (e instanceof IllegalArgumentException) {
                return ExitCode.USAGE.code();
            }
            if (!(e instanceof java.io.IOException)) {
                e.printStackTrace(commandLine.getErr());   // a bug, not an environment problem: show where
            }
            return ExitCode.FAILURE.code();
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GoldfishDmaCli.class.getPackage().getImplementationVersion();
            return new String[] {"goldfish-dma " + (v == null ? "(development build)" : v),
                    "JDK " + Runtime.version() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }
}
