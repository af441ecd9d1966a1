package dev.goldfishdma.bench;

import dev.goldfishdma.device.DevicePaths;
import dev.goldfishdma.emulator.EmulatorProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The goldfish device the benchmarks run on: the real one when this is an emulator guest, otherwise the
 * project's emulation, started as a child process. The emulation serves page faults of the mapping, and a
 * JVM thread in a page fault is not at a safepoint: with the server in the benchmark's own JVM, a garbage
 * collection would wait for that thread while it waits for the server. So the server is never in this JVM.
 */
final class Device implements AutoCloseable {
    private final Path path;
    private final EmulatorProcess emulator;
    private final Path workDir;

    private Device(Path path, EmulatorProcess emulator, Path workDir) {
        this.path = path;
        this.emulator = emulator;
        this.workDir = workDir;
    }

    /** The real device if there is one, else a freshly started emulation on a temporary directory. */
    static Device open() throws IOException {
        Optional<Path> real = DevicePaths.find();
        if (real.isPresent()) {
            return new Device(real.get(), null, null);
        }
        Path workDir = Files.createTempDirectory("goldfish-dma-bench");
        Path mountDir = Files.createDirectory(workDir.resolve("mnt"));
        try {
            EmulatorProcess emulator = EmulatorProcess.start(mountDir);
            return new Device(emulator.devicePath(), emulator, workDir);
        } catch (IOException | RuntimeException e) {
            throw new IOException("no goldfish device here, and the emulated one did not start (it needs /dev/fuse "
                    + "and the right to mount, i.e. root); work directory kept: " + workDir, e);
        }
    }

    /** The device file to open. */
    Path path() {
        return path;
    }

    /** Whether this is the project's emulation rather than a real device. */
    boolean emulated() {
        return emulator != null;
    }

    /** A new pipe on this device with a {@code size}-byte region, as a guest driver makes it. */
    DeviceRegion openRegion(long size, dev.goldfishdma.device.RegionOption... options) throws IOException {
        return DeviceRegion.open(path, size, options);
    }

    /** Stops the emulation, if this started one, and removes its directory. */
    @Override
    public void close() throws IOException {
        if (emulator == null) {
            return;
        }
        emulator.close();
        try (Stream<Path> files = Files.walk(workDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
