package dev.goldfishdma.emulator;

import dev.goldfishdma.device.DevicePaths;
import dev.goldfishdma.emulator.fuse.FuseUnavailableException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
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
     * The first of {@link DevicePaths#KNOWN} that exists, else an emulated device.
     *
     * @throws FuseUnavailableException if there is no real device and this user can mount FUSE in no way
     *                                  (the message says what is missing)
     * @throws IOException              if there is no real device and the emulated one does not start
     */
    public static AvailableDevice find() throws IOException {
        Optional<Path> real = DevicePaths.find();
        if (real.isPresent()) {
            return new AvailableDevice(real.get(), null, null);
        }
        Path workDir = Files.createTempDirectory("goldfish-dma-");
        try {
            EmulatorProcess emulator = EmulatorProcess.start(Files.createDirectory(workDir.resolve("mnt")));
            return new AvailableDevice(emulator.devicePath(), emulator, workDir);
        } catch (FuseUnavailableException e) {
            delete(workDir);
            throw new FuseUnavailableException("no goldfish pipe device here, and no emulated one can be mounted: "
                    + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            delete(workDir);
            throw new IOException("no goldfish pipe device here, and the emulated one did not start", e);
        }
    }

    /** The device file to open. */
    public Path path() {
        return path;
    }

    /** For an emulated device, how it was mounted (e.g. {@code "fusermount3 (uid 1000)"}); else null. */
    public String mountDescription() throws IOException {
        return emulator == null ? null : emulator.mountDescription();
    }

    /** Whether this is an emulated device started by {@link #find()}. */
    public boolean emulated() {
        return emulator != null;
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
