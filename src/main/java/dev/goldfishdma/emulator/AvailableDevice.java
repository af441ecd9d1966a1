package dev.goldfishdma.emulator;

import dev.goldfishdma.device.DevicePaths;
import dev.goldfishdma.emulator.fuse.MemoryMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * A goldfish pipe device to work on: the real one when this is an emulator guest, otherwise an emulated one
 * started for the purpose in a child process ({@link EmulatorProcess}) on a fresh temporary directory, which
 * {@link #close()} stops and removes. For tools and benchmarks that should run anywhere.
 */
public final class AvailableDevice implements AutoCloseable {
    private final Path path;
    private final EmulatorProcess emulator;
    private final Path workDir;

    private AvailableDevice(Path path, EmulatorProcess emulator, Path workDir) {
        this.path = path;
        this.emulator = emulator;
        this.workDir = workDir;
    }

    /**
     * The first of {@link DevicePaths#KNOWN} that exists, else an emulated device with the
     * {@linkplain MemoryMode#fromSystemProperty() default memory mode}.
     *
     * @throws IOException if there is no real device and the emulated one does not start (it needs
     *                     {@code /dev/fuse} and the right to mount)
     */
    public static AvailableDevice find() throws IOException {
        return find(MemoryMode.fromSystemProperty());
    }

    /**
     * The first of {@link DevicePaths#KNOWN} that exists, else an emulated device whose regions' memory is
     * {@code memory} ({@link MemoryMode}).
     *
     * @throws IOException if there is no real device and the emulated one does not start (it needs
     *                     {@code /dev/fuse} and the right to mount; passthrough also Linux 6.9+)
     */
    public static AvailableDevice find(MemoryMode memory) throws IOException {
        Optional<Path> real = DevicePaths.find();
        if (real.isPresent()) {
            return new AvailableDevice(real.get(), null, null);
        }
        Path workDir = Files.createTempDirectory("goldfish-dma-");
        try {
            EmulatorProcess emulator = EmulatorProcess.start(Files.createDirectory(workDir.resolve("mnt")), memory);
            return new AvailableDevice(emulator.devicePath(), emulator, workDir);
        } catch (IOException | RuntimeException e) {
            delete(workDir);
            throw new IOException("no goldfish pipe device here, and the emulated one did not start (it needs "
                    + "/dev/fuse and the right to mount, i.e. root)", e);
        }
    }

    /** The device file to open. */
    public Path path() {
        return path;
    }

    /** Whether this is an emulated device started by {@link #find()}. */
    public boolean emulated() {
        return emulator != null;
    }

    /** The process id of the emulator started by {@link #find()}, if one was. */
    public OptionalLong emulatorPid() {
        return emulator == null ? OptionalLong.empty() : OptionalLong.of(emulator.pid());
    }

    /** Stops the emulated device, if one was started, and removes its directory. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (emulator != null) {
            emulator.close();
            delete(workDir);
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
