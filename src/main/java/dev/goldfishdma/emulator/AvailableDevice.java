package dev.goldfishdma.emulator;

import dev.goldfishdma.device.DriverRules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Chooses the goldfish pipe device to work on, the one place that does: the path given, else the real device
 * at the first of {@link DriverRules#DEVICE_PATHS} that exists, else an emulated device started for the
 * purpose on a fresh temporary directory ({@link WorkDirectory}: those of killed runs are removed then),
 * which {@link #close()} stops and removes. {@link #choice()} and
 * {@link #reason()} say which it chose and why. For tools, benchmarks and programs that should run anywhere.
 *
 * {@snippet :
 * try (AvailableDevice device = AvailableDevice.choose(null);
 *      GoldfishPipe pipe = GoldfishPipe.open(device.path(), "opengles")) {
 *     // ...
 * }
 * }
 *
 * <p>The emulated device is served by a child process ({@link EmulatorProcess}), never by this JVM: a thread
 * touching the device's mapping waits inside a page fault, not at a safepoint, so a server in the same JVM
 * could deadlock with it over a garbage collection.
 */
public final class AvailableDevice implements AutoCloseable {
    /** How the device was chosen. */
    public enum Choice {
        /** The path given was taken as it is. */
        GIVEN,
        /** The real device, at the first known device path that exists. */
        FOUND,
        /** No path given and no real device: an emulated device started for the purpose. */
        EMULATED
    }

    private final Path path;
    private final Choice choice;
    private final EmulatorProcess emulator;
    private final Path workDir;

    private AvailableDevice(Path path, Choice choice, EmulatorProcess emulator, Path workDir) {
        this.path = path;
        this.choice = choice;
        this.emulator = emulator;
        this.workDir = workDir;
    }

    /**
     * {@code given} if not null (whether anything is there is for opening it to tell), else the first of
     * {@link DriverRules#DEVICE_PATHS} that exists, else a newly started emulated device with the
     * {@linkplain MemoryMode#fromSystemProperty() default memory mode}.
     *
     * @param given a device path chosen by the user, or null to look for one
     * @return the device, which {@link #close()} releases
     * @throws EmulatorUnavailableException if the emulated device was needed and this user can mount FUSE
     *                     in no way: the message says what is missing
     * @throws IOException if the emulated device was needed and did not start
     */
    public static AvailableDevice choose(Path given) throws IOException {
        return choose(given, MemoryMode.fromSystemProperty());
    }

    /**
     * Like {@link #choose(Path)}, an emulated device sharing its regions' memory with the guest as
     * {@code memory} says ({@link MemoryMode}).
     *
     * @param given  a device path chosen by the user, or null to look for one
     * @param memory how an emulated device shares its regions' memory; unused for any other device
     * @return the device, which {@link #close()} releases
     * @throws EmulatorUnavailableException as {@link #choose(Path)}
     * @throws IOException if the emulated device was needed and did not start (it needs {@code /dev/fuse}
     *                     and the right to mount; {@link MemoryMode#PASSTHROUGH} also Linux 6.9+)
     */
    public static AvailableDevice choose(Path given, MemoryMode memory) throws IOException {
        if (given != null) {
            return new AvailableDevice(given, Choice.GIVEN, null, null);
        }
        Optional<Path> real = DriverRules.DEVICE_PATHS.stream().filter(Files::exists).findFirst();
        if (real.isPresent()) {
            return new AvailableDevice(real.get(), Choice.FOUND, null, null);
        }
        Path workDir = WorkDirectory.create("goldfish-dma-");
        try {
            EmulatorProcess emulator = EmulatorProcess.start(Files.createDirectory(workDir.resolve("mnt")), memory);
            return new AvailableDevice(emulator.devicePath(), Choice.EMULATED, emulator, workDir);
        } catch (EmulatorUnavailableException e) {
            delete(workDir);
            throw new EmulatorUnavailableException("no goldfish pipe device here (none of " + knownPaths() + " exists), "
                    + "and no emulated one can be mounted: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            delete(workDir);
            throw new IOException("no goldfish pipe device here (none of " + knownPaths() + " exists), and the "
                    + "emulated one did not start", e);
        }
    }

    /**
     * {@link #choose(Path) choose(null)}: the real device if there is one, else an emulated one.
     *
     * @return the device, which {@link #close()} releases
     * @throws EmulatorUnavailableException as {@link #choose(Path)}
     * @throws IOException if the emulated device was needed and did not start
     */
    public static AvailableDevice choose() throws IOException {
        return choose(null);
    }

    /** {@return the device file to open} */
    public Path path() {
        return path;
    }

    /** {@return how the device was chosen} */
    public Choice choice() {
        return choice;
    }

    /**
     * For an emulated device, how it was mounted (e.g. {@code "fusermount3 (uid 1000)"}); else null.
     *
     * @return the emulator's words for it, or null
     * @throws IOException when the emulator's status file cannot be read
     */
    public String mountDescription() throws IOException {
        return emulator == null ? null : emulator.mountDescription();
    }

    /**
     * {@return whether this is an emulated device, started by {@link #choose(Path)} and removed by {@link #close()}}
     */
    public boolean emulated() {
        return choice == Choice.EMULATED;
    }

    /**
     * Why this device, in a few words: {@code "given"}, {@code "found: the first known device path that
     * exists"}, or {@code "emulated: none of /dev/goldfish_pipe, ... exists"}.
     *
     * @return how the device was chosen, for a person
     */
    public String reason() {
        return switch (choice) {
            case GIVEN -> "given";
            case FOUND -> "found: the first known device path that exists";
            case EMULATED -> "emulated: none of " + knownPaths() + " exists";
        };
    }

    /** {@return the process id of the emulator {@link #choose(Path)} started, if it started one} */
    public OptionalLong emulatorPid() {
        return emulator == null ? OptionalLong.empty() : OptionalLong.of(emulator.pid());
    }

    /**
     * How the device's DMA memory is shared with the host, in a few words: an emulated device's status file
     * says ({@code passthrough}, or {@code page-cache} and why); anything else is taken for the driver.
     *
     * @return the description, for a person
     */
    public String memory() {
        return EmulatorStatus.besideDevice(path).map(status -> {
            try {
                return EmulatorStatus.memoryDescription(status);
            } catch (IOException e) {
                return "unknown (" + e.getMessage() + ")";
            }
        }).orElse("the driver's coherent DMA memory");
    }

    private static String knownPaths() {
        return DriverRules.DEVICE_PATHS.stream().map(Path::toString).collect(Collectors.joining(", "));
    }

    /** Stops the emulated device, if one was started, and removes its directory. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (emulator != null) {
            emulator.close();
            delete(workDir);
        }
    }

    @Override
    public String toString() {
        return "AvailableDevice[" + path + " (" + reason() + ")]";
    }

    private static void delete(Path dir) throws IOException {
        WorkDirectory.delete(Objects.requireNonNull(dir));
    }
}
