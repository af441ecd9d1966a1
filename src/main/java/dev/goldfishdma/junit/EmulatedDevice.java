package dev.goldfishdma.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The emulated goldfish pipe device that {@link EmulatedGoldfishDeviceExtension} runs for a test class,
 * as a test receives it as a parameter. Its server is a child process: the test's JVM may open, map and
 * write the device freely.
 */
public final class EmulatedDevice {
    private final Path path;
    private final Path mountDir;
    private final Path statusPath;

    EmulatedDevice(Path path, Path mountDir, Path statusPath) {
        this.path = path;
        this.mountDir = mountDir;
        this.statusPath = statusPath;
    }

    /**
     * The device file, to open as the driver's {@code /dev/goldfish_pipe}.
     *
     * @return the path of the emulated device file
     */
    public Path path() {
        return path;
    }

    /**
     * The directory the emulated device is mounted on; it is removed after the test class.
     *
     * @return the mount directory
     */
    public Path mountDir() {
        return mountDir;
    }

    /**
     * The emulator's status: the live pipes and regions, one per line after the counts
     * ({@code pipes N}, {@code regions M}, ...), as the file {@code status} beside the device shows them.
     *
     * @return the status text, read now
     * @throws IOException if the status file cannot be read
     */
    public String status() throws IOException {
        return Files.readString(statusPath);
    }

    @Override
    public String toString() {
        return "emulated goldfish pipe device " + path;
    }
}
