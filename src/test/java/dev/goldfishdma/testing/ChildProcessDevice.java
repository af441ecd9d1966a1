package dev.goldfishdma.testing;

import dev.goldfishdma.emulator.EmulatorProcess;
import dev.goldfishdma.emulator.WorkDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The FUSE-emulated goldfish pipe device for tests, served by a child process (a guest thread faulting on
 * the mapping must never wait for a server in its own JVM). Skips the test, or fails it under CI, when this
 * machine cannot mount FUSE file systems.
 */
public final class ChildProcessDevice implements AutoCloseable {
    private final Path workDir;
    private final Path dir;
    private final EmulatorProcess process;

    private ChildProcessDevice(Path workDir, Path dir, EmulatorProcess process) {
        this.workDir = workDir;
        this.dir = dir;
        this.process = process;
    }

    /**
     * Starts an emulated device on a fresh temporary directory ({@link WorkDirectory}, which also removes
     * those of killed runs); the emulator's log lies beside the mount directory, in the work directory.
     */
    public static ChildProcessDevice start() throws IOException {
        Capabilities.requireFuseMount();
        Path workDir = WorkDirectory.create("goldfish-test-");
        try {
            Path dir = Files.createDirectory(workDir.resolve("mnt"));
            return new ChildProcessDevice(workDir, dir, EmulatorProcess.start(dir));
        } catch (IOException | RuntimeException e) {
            WorkDirectory.delete(workDir);
            throw e;
        }
    }

    /** The emulated device file. */
    public Path path() {
        return process.devicePath();
    }

    /** The mount directory; every file of the emulated device lies below it. */
    public Path mountDir() {
        return dir;
    }

    /** The emulator process, for tests that stop it. */
    public EmulatorProcess process() {
        return process;
    }

    /** The emulator's status file, listing live pipes and regions. */
    public String status() throws IOException {
        return Files.readString(dir.resolve("status"));
    }

    @Override
    public void close() throws IOException {
        process.close();
        WorkDirectory.delete(workDir);
    }
}
