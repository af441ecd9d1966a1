package dev.goldfishdma.emulator;

import java.nio.file.Path;

/**
 * The emulator as a command: {@code EmulatorMain <mountDir>} mounts the emulated device on
 * {@code mountDir} and serves it in the foreground until SIGTERM or SIGINT, then unmounts.
 *
 * <p>Once serving, it prints exactly one line on standard output, {@code READY <absolute path of the
 * device file>}, and nothing else there; diagnostics go to standard error. Exit status: that of any JVM
 * ended by the signal after its shutdown hooks (143 for SIGTERM, 130 for SIGINT), 0 when the file system
 * was unmounted from outside, 1 when it could not start, 2 for a usage error.
 */
public final class EmulatorMain {
    /** The first word of the line printed once the device is served. */
    public static final String READY = "READY";

    private EmulatorMain() {
    }

    /**
     * Runs the emulator.
     *
     * @param args one argument: the directory to mount on
     * @throws InterruptedException if the main thread is interrupted while the emulator serves
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: EmulatorMain <mountDir>");
            System.exit(2);
        }
        GoldfishPipeEmulator emulator;
        try {
            emulator = GoldfishPipeEmulator.start(Path.of(args[0]));
        } catch (Exception e) {
            System.err.println("goldfish emulator: cannot start on " + args[0] + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        // The JVM runs shutdown hooks on SIGTERM, SIGINT and System.exit, never on SIGKILL: a killed
        // emulator leaves a dead mount, which the next start on the directory detaches.
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "goldfish-emulator-shutdown"));
        System.out.println(READY + " " + emulator.devicePath().toAbsolutePath());
        System.out.flush();
        emulator.awaitTermination();
    }
}
