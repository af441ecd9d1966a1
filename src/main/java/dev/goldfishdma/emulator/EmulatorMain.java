package dev.goldfishdma.emulator;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The emulator as a command: {@code EmulatorMain [OPTION]... <mountDir>} mounts the emulated device on
 * {@code mountDir} and serves it in the foreground until SIGTERM or SIGINT, then unmounts. The options are
 * those of {@link EmulatorOptions}; {@code --memory} chooses how regions are shared with the guest ({@link MemoryMode}; default: the
 * system property {@value MemoryMode#PROPERTY}, else {@code auto}); the status file's {@code memory} line says which
 * one is in use.
 *
 * <p>Once serving, it prints exactly one line on standard output, {@code READY <absolute path of the
 * device file>}, and nothing else there; diagnostics go to standard error. Exit status: that of any JVM
 * ended by the signal after its shutdown hooks (143 for SIGTERM, 130 for SIGINT), 0 when the file system
 * was unmounted from outside, 1 when it could not start, 2 for a usage error, 3 when this user can mount
 * FUSE in no way (no access to {@code /dev/fuse}, or neither the right to mount nor {@code fusermount3};
 * the reason is on standard error).
 *
 * <p>With {@code --exit-with-parent} ({@link EmulatorOptions#exitWithParent()}, which {@link EmulatorProcess}
 * passes) it also ends, unmounting, when the process that started it is gone: its standard input reaching
 * its end (exit status 0), or SIGTERM from {@code PR_SET_PDEATHSIG}. Without it, standard input is left
 * alone. A dead mount of a killed emulator on the directory is detached first, and a line on standard error
 * says so.
 */
public final class EmulatorMain {
    /** The first word of the line printed once the device is served. */
    public static final String READY = "READY";
    /** The exit status when FUSE cannot be mounted by this user at all. */
    public static final int EXIT_FUSE_UNAVAILABLE = 3;
    /** Counted down once the shutdown hook that unmounts is in place: the parent watch exits only then. */
    private static final CountDownLatch SERVING = new CountDownLatch(1);

    private EmulatorMain() {
    }

    /**
     * Runs the emulator.
     *
     * @param args {@code [OPTION]... <mountDir>}, the options as {@link EmulatorOptions#parse(List)} reads them
     * @throws InterruptedException if the main thread is interrupted while the emulator serves
     */
    public static void main(String[] args) throws InterruptedException {
        EmulatorOptions options;
        String dir = null;
        try {
            List<String> optionArgs = new ArrayList<>();
            for (String arg : args) {
                if (arg.startsWith("-")) {
                    optionArgs.add(arg);
                } else if (dir == null) {
                    dir = arg;
                } else {
                    throw new IllegalArgumentException("unexpected argument: " + arg);
                }
            }
            options = EmulatorOptions.parse(optionArgs);
            if (dir == null) {
                throw new IllegalArgumentException("the directory to mount on is missing");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("usage: EmulatorMain [OPTION]... <mountDir>: " + e.getMessage() + "\noptions:\n"
                    + EmulatorOptions.usage());
            System.exit(2);
            return;
        }
        if (options.exitWithParent()) {
            endWithParent();
        }
        GoldfishPipeEmulator emulator;
        try {
            emulator = GoldfishPipeEmulator.start(Path.of(dir), GoldfishPipeEmulator.defaultServices(), options);
        } catch (Exception e) {
            System.err.println("goldfish emulator: cannot start on " + dir + ": " + e.getMessage());
            System.exit(e instanceof EmulatorUnavailableException ? EXIT_FUSE_UNAVAILABLE : 1);
            return;
        }
        if (emulator.deadMountsDetached() > 0) {
            System.err.println("goldfish emulator: "
                    + GoldfishPipeEmulator.describeDetached(emulator.deadMountsDetached(), emulator.mountDir()));
        }
        System.err.println("goldfish emulator: serving " + emulator.devicePath().toAbsolutePath() + ", mounted by "
                + emulator.mountDescription() + ", regions' memory " + emulator.memoryDescription());
        SERVING.countDown();
        System.out.println(READY + " " + emulator.devicePath().toAbsolutePath());
        System.out.flush();
        emulator.awaitTermination();
    }

    /**
     * Ties this process to its parent: SIGTERM when the parent's starting thread ends (PR_SET_PDEATHSIG, so
     * the shutdown hook unmounts), and an exit when standard input ends, which also covers a parent that died
     * before the prctl.
     */
    private static void endWithParent() {
        try {
            Libc.prctl(LibcConstants.PR_SET_PDEATHSIG(), LibcConstants.SIGTERM(), "PR_SET_PDEATHSIG");
        } catch (ErrnoException e) {
            System.err.println("goldfish emulator: " + e.getMessage() + "; watching standard input only");
        }
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) >= 0) {
                    // Nothing is ever sent: only the end matters.
                }
            } catch (IOException e) {
                // As good as the end.
            }
            System.err.println("goldfish emulator: the process that started it is gone (standard input ended): "
                    + "unmounting and exiting");
            try {
                SERVING.await(); // a start that fails exits by itself; one that succeeds has its hook by then
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.exit(0);
        }, "goldfish-emulator-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
