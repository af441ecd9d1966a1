package dev.goldfishdma.cli;

import dev.goldfishdma.emulator.AvailableDevice;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The device a command works on: the one given, else the {@linkplain AvailableDevice available one} (the real
 * device, or an emulated device started for the run), which is removed when the command ends, also on Ctrl-C.
 */
final class DeviceChoice implements AutoCloseable {
    private final Path path;
    private final AvailableDevice available;
    private final Thread shutdownHook;

    private DeviceChoice(Path path, AvailableDevice available) {
        this.path = path;
        this.available = available;
        this.shutdownHook = available == null || !available.emulated() ? null
                : new Thread(this::stopEmulator, "goldfish-dma emulator cleanup");
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    static DeviceChoice resolve(Path given, PrintWriter out) throws IOException {
        if (given != null) {
            return new DeviceChoice(given, null);
        }
        AvailableDevice available = AvailableDevice.find();
        if (available.emulated()) {
            out.println("no goldfish pipe device here; using an emulated one at " + available.path()
                    + " (mounted by " + available.mountDescription() + ", removed on exit)");
            out.flush();
        }
        return new DeviceChoice(available.path(), available);
    }

    Path path() {
        return path;
    }

    boolean emulated() {
        return available != null && available.emulated();
    }

    private void stopEmulator() {
        try {
            available.close();
        } catch (IOException e) {
            // files left in the temporary directory: harmless
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
