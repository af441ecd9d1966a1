package dev.goldfishdma.testing;

import dev.goldfishdma.emulator.EmulatorProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The FUSE-emulated goldfish pipe device for tests, served by a child process (a guest thread faulting on
 * the mapping must never wait for a server in its own JVM). Skips the test, or fails it under CI, when this
 * machine cannot mount FUSE file systems.
 */
public final class EmulatedDevice implements AutoCloseable {
    private final Path dir;
    private final EmulatorProcess process;

    private EmulatedDevice(Path dir, EmulatorProcess process) {
        this.dir = dir;
        this.process = process;
    }

    /** Starts an emulated device on a fresh temporary directory. */
    public static EmulatedDevice start() throws IOException {
        Capabilities.requireFuseMount();
        Path dir = Files.createTempDirectory("goldfish-test-");
        try {
            return new EmulatedDevice(dir, EmulatorProcess.start(dir));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(dir);
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
        Files.deleteIfExists(dir);
    }
}
