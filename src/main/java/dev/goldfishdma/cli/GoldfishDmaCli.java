package dev.goldfishdma.cli;

import dev.goldfishdma.device.NoDeviceException;
import dev.goldfishdma.device.NotAGoldfishPipeException;
import dev.goldfishdma.emulator.fuse.FuseUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command-line tool: {@code goldfish-dma probe | transfer | bench | emulator}. */
@Command(name = "goldfish-dma", mixinStandardHelpOptions = true, versionProvider = GoldfishDmaCli.Version.class,
        subcommands = {ProbeCommand.class, TransferCommand.class, BenchCommand.class, EmulatorCommand.class},
        description = {"Use the Android emulator's goldfish DMA device from Java: probe it, move data to the host "
                + "through it, time it, or serve an emulated one.",
                "With no device present and no --device, commands start an emulated device for the run."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a call failed or a check did not hold", "2:bad command line",
                "3:no device", "4:not a goldfish pipe with DMA"})
public final class GoldfishDmaCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the tool and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool and returns its exit code, for tests and embedding. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The tool's command line, with its error handling, for callers that set their own output streams. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new GoldfishDmaCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String name = commandLine.getCommandName();
            commandLine.getErr().println(name + ": " + e.getMessage());
            commandLine.getErr().flush();
            if (e instanceof NoDeviceException || e instanceof FuseUnavailableException) {
                return ExitCodes.NO_DEVICE;
            }
            if (e instanceof NotAGoldfishPipeException) {
                return ExitCodes.NOT_A_GOLDFISH_PIPE;
            }
            if (e instanceof IllegalArgumentException) {
                return ExitCodes.USAGE;
            }
            if (!(e instanceof java.io.IOException)) {
                e.printStackTrace(commandLine.getErr());   // a bug, not an environment problem: show where
            }
            return ExitCodes.FAILURE;
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
