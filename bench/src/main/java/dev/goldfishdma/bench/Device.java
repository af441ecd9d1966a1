package dev.goldfishdma.bench;

import dev.goldfishdma.emulator.AvailableDevice;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The goldfish device the benchmarks run on: the real one when this is an emulator guest, otherwise the
 * project's emulation, started as a child process. The emulation serves page faults of the mapping, and a
 * JVM thread in a page fault is not at a safepoint: with the server in the benchmark's own JVM, a garbage
 * collection would wait for that thread while it waits for the server. So the server is never in this JVM.
 */
final class Device implements AutoCloseable {
    private final AvailableDevice available;

    private Device(AvailableDevice available) {
        this.available = available;
    }

    /** The real device if there is one, else a freshly started emulation on a temporary directory. */
    static Device open() throws IOException {
        return new Device(AvailableDevice.find());
    }

    /** The device file to open. */
    Path path() {
        return available.path();
    }

    /** Whether this is the project's emulation rather than a real device. */
    boolean emulated() {
        return available.emulated();
    }

    /** A new pipe on this device with a {@code size}-byte region, as a guest driver makes it. */
    DeviceRegion openRegion(long size, dev.goldfishdma.device.RegionOption... options) throws IOException {
        return DeviceRegion.open(available.path(), size, options);
    }

    /** Stops the emulation, if this started one, and removes its directory. */
    @Override
    public void close() throws IOException {
        available.close();
    }
}
