package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.FuseMount;
import dev.goldfishdma.emulator.fuse.NodeNamespace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The emulator ({@link EmulatorMain}) running as a child process of this JVM: the way to use it from code
 * that maps the device, tests included (see {@link GoldfishPipeEmulator} for why the server must not run
 * in the JVM that touches the mapping).
 *
 * <p>The child runs the same {@code java} binary with this library's jar (or classes directory) as its class
 * path, whether this JVM has the library on its class path or its module path; its
 * diagnostics go to a log file next to the mount directory, and so would a JVM crash report
 * ({@code -XX:ErrorFile}), never into the working directory. The log is removed on close unless the child
 * crashed. {@link #close()} stops it and guarantees that
 * no mount remains on the directory, even when the child had to be killed.
 *
 * <p>The child never outlives this JVM: it runs with {@code --exit-with-parent}
 * ({@link EmulatorOptions#exitWithParent()}), its standard input is a pipe whose other end only this JVM
 * holds, and the kernel closes that end however this JVM ends, SIGKILL included; the child then unmounts
 * and exits. It is also started from a thread that lives as long as this JVM, so that its
 * {@code PR_SET_PDEATHSIG}, which the kernel ties to the starting thread, fires only when this JVM dies.
 *
 * <p>Its heap is limited to {@value #DEFAULT_HEAP} (the system property {@value #HEAP_PROPERTY} overrides
 * it, e.g. {@code 32m}): region memory is off-heap (memfds the emulator maps), so the heap holds only
 * requests in flight, the bytes queued for guests, the status text and the JVM's own classes' objects.
 */
public final class EmulatorProcess implements AutoCloseable {
    /** How long {@link #start(Path)} waits for the child to serve. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);
    /** The system property that sets the child's {@code -Xmx}, e.g. {@code 64m}. */
    public static final String HEAP_PROPERTY = "goldfish.emulator.heap";
    /** The child's {@code -Xmx} unless {@value #HEAP_PROPERTY} says otherwise. */
    public static final String DEFAULT_HEAP = "64m";
    /**
     * Starts every child: a thread as long-lived as this JVM, since PR_SET_PDEATHSIG signals the child when
     * the thread that started it ends, not when its process does.
     */
    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "goldfish-emulator-launcher");
        thread.setDaemon(true);
        return thread;
    });
    private static final long TERM_WAIT_SECONDS = 10;
    private static final long KILL_WAIT_SECONDS = 10;

    private final Process process;
    private final Path mountDir;
    private final Path devicePath;
    private final Path logFile;
    private boolean closed;

    private EmulatorProcess(Process process, Path mountDir, Path devicePath, Path logFile) {
        this.process = process;
        this.mountDir = mountDir;
        this.devicePath = devicePath;
        this.logFile = logFile;
    }

    /**
     * Starts the emulator on the existing directory {@code mountDir} with the
     * {@linkplain MemoryMode#fromSystemProperty() default memory mode}, waiting up to 30 s for it to serve.
     *
     * @param mountDir an existing directory
     * @return the running child
     * @throws IOException as {@link #start(Path, MemoryMode, Duration)}
     */
    public static EmulatorProcess start(Path mountDir) throws IOException {
        return start(mountDir, MemoryMode.fromSystemProperty(), DEFAULT_READY_TIMEOUT);
    }

    /**
     * Starts the emulator on the existing directory {@code mountDir} with the memory model {@code memory},
     * waiting up to 30 s for it to serve.
     *
     * @param mountDir an existing directory
     * @param memory   how regions are shared with the guest ({@link MemoryMode})
     * @return the running child
     * @throws IOException as {@link #start(Path, MemoryMode, Duration)}
     */
    public static EmulatorProcess start(Path mountDir, MemoryMode memory) throws IOException {
        return start(mountDir, memory, DEFAULT_READY_TIMEOUT);
    }

    /**
     * Starts the emulator on the existing directory {@code mountDir} with the
     * {@linkplain MemoryMode#fromSystemProperty() default memory mode}.
     *
     * @param mountDir     an existing directory
     * @param readyTimeout how long to wait for the ready line
     * @return the running child
     * @throws IOException as {@link #start(Path, MemoryMode, Duration)}
     */
    public static EmulatorProcess start(Path mountDir, Duration readyTimeout) throws IOException {
        return start(mountDir, MemoryMode.fromSystemProperty(), readyTimeout);
    }

    /**
     * Starts the emulator on the existing directory {@code mountDir} and returns once it prints its ready
     * line.
     *
     * @param mountDir     an existing directory
     * @param memory       how regions are shared with the guest ({@link MemoryMode})
     * @param readyTimeout how long to wait for the ready line
     * @return the running child
     * @throws EmulatorUnavailableException when this user can mount FUSE in no way: the message says what
     *                     is missing
     * @throws IOException when the child exits or stays silent for {@code readyTimeout}, for instance when
     *                     {@link MemoryMode#PASSTHROUGH} is not available; the message carries the end of its
     *                     log
     */
    public static EmulatorProcess start(Path mountDir, MemoryMode memory, Duration readyTimeout) throws IOException {
        return start(mountDir, EmulatorOptions.builder().memory(memory).build(), readyTimeout);
    }

    /**
     * Starts the emulator on the existing directory {@code mountDir} with {@code options} and returns once it
     * prints its ready line.
     *
     * @param mountDir     an existing directory
     * @param options      how the child serves (see {@link EmulatorOptions}), passed to it as arguments
     * @param readyTimeout how long to wait for the ready line
     * @return the running child
     * @throws IOException as {@link #start(Path, MemoryMode, Duration)}
     */
    public static EmulatorProcess start(Path mountDir, EmulatorOptions options, Duration readyTimeout)
            throws IOException {
        Path dir = mountDir.toAbsolutePath().normalize();
        Path workDir = dir.getParent();
        if (workDir == null) {
            throw new IOException("cannot mount the emulator on the root directory");
        }
        Path logFile = workDir.resolve("goldfish-emulator-" + dir.getFileName() + ".log");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java,
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx" + System.getProperty(HEAP_PROPERTY, DEFAULT_HEAP),
                "-XX:ErrorFile=" + workDir.resolve("hs_err_emulator_pid%p.log")));
        // How to mount, when this JVM was told (see FuseMount): the child mounts, so it must know.
        for (String property : List.of(FuseMount.METHOD_PROPERTY, FuseMount.FUSERMOUNT_PROPERTY)) {
            if (System.getProperty(property) != null) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        command.addAll(List.of("-cp", libraryClassPath(), EmulatorMain.class.getName()));
        command.addAll(options.toBuilder().exitWithParent(true).build().toArguments());
        command.add(dir.toString());
        // Standard input stays a pipe (the default): this JVM holds its other end until close() or death.
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Process process = launch(builder);
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> readStdout(process, ready), "goldfish-emulator-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        String line;
        try {
            line = ready.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String status = exitStatus(process);
            String why = e instanceof TimeoutException ? "no ready line within " + readyTimeout
                    : "it exited before serving (status " + status + ")";
            IOException failure = status.equals(Integer.toString(EmulatorMain.EXIT_FUSE_UNAVAILABLE))
                    ? new EmulatorUnavailableException(reason(logFile))
                    : new IOException("the emulator did not start on " + dir + ": " + why
                    + "; its log ends with:\n" + logTail(logFile));
            new EmulatorProcess(process, dir, dir, logFile).close();
            throw failure;
        }
        Path device = Path.of(line.substring(EmulatorMain.READY.length() + 1));
        return new EmulatorProcess(process, dir, device, logFile);
    }

    /** Starts {@code builder} on {@link #LAUNCHER}. */
    private static Process launch(ProcessBuilder builder) throws IOException {
        try {
            return LAUNCHER.submit(builder::start).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start the emulator: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while starting the emulator");
        }
    }

    /**
     * The child's class path: the jar or directory this library was loaded from, absolute (the child runs in
     * another working directory). Not this JVM's class path, which lacks the library when it is on the module
     * path; the emulator needs nothing else.
     */
    private static String libraryClassPath() {
        CodeSource source = EmulatorMain.class.getProtectionDomain().getCodeSource();
        if (source != null && "file".equals(source.getLocation().getProtocol())) {
            try {
                return Path.of(source.getLocation().toURI()).toAbsolutePath().toString();
            } catch (URISyntaxException | IllegalArgumentException e) {
                // not a plain file: fall back to this JVM's class path
            }
        }
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static void readStdout(Process process, CompletableFuture<String> ready) {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (!ready.isDone() && line.startsWith(EmulatorMain.READY + " ")) {
                    ready.complete(line);
                }
                // Anything else is drained, so that the child never blocks on a full pipe.
            }
        } catch (IOException e) {
            // The child went away: handled below.
        }
        ready.completeExceptionally(new IOException("the emulator's standard output ended"));
    }

    private static String exitStatus(Process process) {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String logTail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The child's last line of diagnostics: why it did not start. */
    private static String reason(Path logFile) {
        String tail = logTail(logFile).strip();
        String last = tail.substring(tail.lastIndexOf('\n') + 1);
        String prefix = "cannot start on ";
        int at = last.indexOf(prefix);
        // "goldfish emulator: cannot start on DIR: <reason>"
        int colon = at < 0 ? -1 : last.indexOf(": ", at + prefix.length());
        return colon < 0 ? last : last.substring(colon + 2);
    }

    /** {@return the device file, to open as the driver's {@code /dev/goldfish_pipe}} */
    public Path devicePath() {
        return devicePath;
    }

    /** {@return the status file (see {@link GoldfishPipeEmulator#statusPath()})} */
    public Path statusPath() {
        return mountDir.resolve(NodeNamespace.STATUS_FILE_NAME);
    }

    /**
     * How the child mounted the directory, as its status file says: e.g. {@code "fusermount3 (uid 1000)"}
     * (see {@link GoldfishPipeEmulator#mountDescription()}).
     *
     * @return the child's words for it
     * @throws IOException when the status file cannot be read
     */
    public String mountDescription() throws IOException {
        String prefix = "mounted-by ";
        return Files.readAllLines(statusPath(), StandardCharsets.UTF_8).stream().filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length())).findFirst().orElse("(not said)");
    }

    /** {@return the directory the emulator is mounted on} */
    public Path mountDir() {
        return mountDir;
    }

    /**
     * The memory model the emulator settled on, as its status file says.
     *
     * @return {@link MemoryMode#PASSTHROUGH} or {@link MemoryMode#PAGE_CACHE}
     * @throws IOException when the status file cannot be read
     */
    public MemoryMode memoryMode() throws IOException {
        return EmulatorStatus.memoryMode(statusPath());
    }

    /** {@return the child's process id} */
    public long pid() {
        return process.pid();
    }

    /** {@return the child's handle, e.g. to kill it in a test of the stale-mount cleanup} */
    public ProcessHandle processHandle() {
        return process.toHandle();
    }

    /** {@return the child's standard error; deleted by {@link #close()} unless the child crashed} */
    public Path logFile() {
        return logFile;
    }

    /**
     * Stops the child (SIGTERM, then SIGKILL if it has not exited within 10 s) and makes sure no mount is
     * left on the directory, detaching it ({@code umount2(MNT_DETACH)}) when the child could not. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(TERM_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // the child is gone already
        }
        FuseMount.detachAll(mountDir);
        // The log only matters when the child crashed; then its crash report lies beside it.
        try {
            if (!Files.exists(logFile.resolveSibling("hs_err_emulator_pid" + process.pid() + ".log"))) {
                Files.deleteIfExists(logFile);
            }
        } catch (IOException e) {
            // a log left in the directory's parent: harmless
        }
    }
}
