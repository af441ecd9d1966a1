package dev.goldfishdma.cli;

import dev.goldfishdma.emulator.AvailableDevice;
import dev.goldfishdma.emulator.MemoryMode;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The device a command works on, as {@link AvailableDevice} chooses it, with the tool's cleanup: an emulated
 * device is removed when the command ends, and also when the tool is stopped (Ctrl-C, SIGTERM) by a shutdown
 * hook.
 */
final class CommandDevice implements AutoCloseable {
    private final AvailableDevice device;
    private final Thread shutdownHook;

    private CommandDevice(AvailableDevice device) {
        this.device = device;
        this.shutdownHook = device.emulated() ? new Thread(this::stopEmulator, "goldfish-dma emulator cleanup") : null;
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /**
     * The device {@link AvailableDevice#choose(Path, MemoryMode)} picks for {@code given}, an emulated one with
     * the memory mode {@code memory}; says so on {@code out} if emulated.
     */
    static CommandDevice choose(Path given, MemoryMode memory, PrintWriter out) throws IOException {
        AvailableDevice device = AvailableDevice.choose(given, memory);
        if (device.emulated()) {
            out.println("no goldfish pipe device here; using an emulated one at " + device.path()
                    + " (mounted by " + device.mountDescription() + ", removed on exit)");
            out.flush();
        }
        return new CommandDevice(device);
    }

    Path path() {
        return device.path();
    }

    /** Why this device, e.g. {@code "given"}. */
    String reason() {
        return device.reason();
    }

    /** How the device shares DMA memory with the host (see {@link AvailableDevice#memory()}). */
    String memory() {
        return device.memory();
    }

    /** The process id of the emulator started for the command, if one was. */
    OptionalLong emulatorPid() {
        return device.emulatorPid();
    }

    private void stopEmulator() {
        try {
            device.close();
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
