package dev.goldfishdma.cli;

import dev.goldfishdma.device.DevicePaths;
import dev.goldfishdma.emulator.EmulatorProcess;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The device a command works on: the one given, else the first known path that exists, else an emulated
 * device started for the run (in a child process, on a temporary directory) and removed when the command
 * ends, also on Ctrl-C.
 */
final class DeviceChoice implements AutoCloseable {
    private final Path path;
    private final EmulatorProcess emulator;
    private final Path mountDir;
    private final Thread shutdownHook;

    private DeviceChoice(Path path, EmulatorProcess emulator, Path mountDir) {
        this.path = path;
        this.emulator = emulator;
        this.mountDir = mountDir;
        this.shutdownHook = emulator == null ? null : new Thread(this::stopEmulator, "goldfish-dma emulator cleanup");
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    static DeviceChoice resolve(Path given, PrintWriter out) throws IOException {
        if (given != null) {
            return new DeviceChoice(given, null, null);
        }
        Optional<Path> known = DevicePaths.find();
        if (known.isPresent()) {
            return new DeviceChoice(known.get(), null, null);
        }
        Path dir = Files.createTempDirectory("goldfish-dma-");
        try {
            EmulatorProcess emulator = EmulatorProcess.start(dir);
            out.println("no goldfish pipe device here; using an emulated one at " + emulator.devicePath()
                    + " (removed on exit)");
            out.flush();
            return new DeviceChoice(emulator.devicePath(), emulator, dir);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    Path path() {
        return path;
    }

    boolean emulated() {
        return emulator != null;
    }

    private synchronized void stopEmulator() {
        if (emulator != null) {
            emulator.close();
            try {
                Files.deleteIfExists(mountDir);
            } catch (IOException e) {
                // left in the temporary directory: harmless
            }
        }
    }

    @Override
    public void close() {
        if (shutdownHook != null) {
            stopEmulator();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs (and finds nothing left to do)
            }
        }
    }
}
