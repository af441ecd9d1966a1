package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.FuseUnavailableException;

import java.nio.file.Path;

/**
 * The emulator as a command: {@code EmulatorMain [--memory=auto|passthrough|page-cache] <mountDir>} mounts
 * the emulated device on {@code mountDir} and serves it in the foreground until SIGTERM or SIGINT, then
 * unmounts. {@code --memory} chooses how regions are shared with the guest ({@link MemoryMode}; default: the
 * system property {@value MemoryMode#PROPERTY}, else {@code auto}); the status file's {@code memory} line says which
 * one is in use.
 *
 * <p>Once serving, it prints exactly one line on standard output, {@code READY <absolute path of the
 * device file>}, and nothing else there; diagnostics go to standard error. Exit status: that of any JVM
 * ended by the signal after its shutdown hooks (143 for SIGTERM, 130 for SIGINT), 0 when the file system
 * was unmounted from outside, 1 when it could not start, 2 for a usage error, 3 when this user can mount
 * FUSE in no way (no access to {@code /dev/fuse}, or neither the right to mount nor {@code fusermount3};
 * the reason is on standard error).
 */
public final class EmulatorMain {
    /** The first word of the line printed once the device is served. */
    public static final String READY = "READY";
    /** The exit status when FUSE cannot be mounted by this user at all. */
    public static final int EXIT_FUSE_UNAVAILABLE = 3;

    private EmulatorMain() {
    }

    /** The option that chooses the memory model. */
    public static final String MEMORY_OPTION = "--memory=";

    /**
     * Runs the emulator.
     *
     * @param args {@code [--memory=MODE] <mountDir>}
     * @throws InterruptedException if the main thread is interrupted while the emulator serves
     */
    public static void main(String[] args) throws InterruptedException {
        MemoryMode memory;
        String dir;
        try {
            memory = MemoryMode.fromSystemProperty();
            dir = null;
            for (String arg : args) {
                if (arg.startsWith(MEMORY_OPTION)) {
                    memory = MemoryMode.fromOptionName(arg.substring(MEMORY_OPTION.length()));
                } else if (dir == null && !arg.startsWith("-")) {
                    dir = arg;
                } else {
                    throw new IllegalArgumentException("unexpected argument: " + arg);
                }
            }
            if (dir == null) {
                throw new IllegalArgumentException("the directory to mount on is missing");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("usage: EmulatorMain [--memory=auto|passthrough|page-cache] <mountDir>: " + e.getMessage());
            System.exit(2);
            return;
        }
        GoldfishPipeEmulator emulator;
        try {
            emulator = GoldfishPipeEmulator.start(Path.of(dir), GoldfishPipeEmulator.defaultServices(), memory);
        } catch (Exception e) {
            System.err.println("goldfish emulator: cannot start on " + dir + ": " + e.getMessage());
            System.exit(e instanceof FuseUnavailableException ? EXIT_FUSE_UNAVAILABLE : 1);
            return;
        }
        System.err.println("goldfish emulator: serving " + emulator.devicePath().toAbsolutePath() + ", mounted by "
                + emulator.mountDescription() + ", regions' memory " + emulator.memoryDescription());
        // The JVM runs shutdown hooks on SIGTERM, SIGINT and System.exit, never on SIGKILL: a killed
        // emulator leaves a dead mount, which the next start on the directory detaches.
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "goldfish-emulator-shutdown"));
        System.out.println(READY + " " + emulator.devicePath().toAbsolutePath());
        System.out.flush();
        emulator.awaitTermination();
    }
}
