package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.NodeNamespace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the status file of an emulated device says about the emulator, for tools that only know a device
 * path: the status file lies next to the device file ({@value NodeNamespace#STATUS_FILE_NAME}); its last
 * line is {@code memory <mode>[ (why)]}.
 */
public final class EmulatorStatus {
    private static final String MEMORY_LINE = "memory ";

    private EmulatorStatus() {
    }

    /**
     * The status file next to {@code device}, if {@code device} is an emulated device's file.
     *
     * @param device a device path
     * @return the status file, or empty when {@code device} is not an emulated device's
     */
    public static Optional<Path> besideDevice(Path device) {
        Path dir = device.toAbsolutePath().getParent();
        if (dir == null || !NodeNamespace.DEVICE_FILE_NAME.equals(String.valueOf(device.getFileName()))) {
            return Optional.empty();
        }
        Path status = dir.resolve(NodeNamespace.STATUS_FILE_NAME);
        return Files.isRegularFile(status) ? Optional.of(status) : Optional.empty();
    }

    /**
     * The memory line's text after {@code memory }: the mode, and why passthrough is not used when the
     * emulator fell back to the page cache.
     *
     * @param statusFile an emulated device's status file
     * @return the description, e.g. {@code passthrough}
     * @throws IOException when the file cannot be read or has no memory line
     */
    public static String memoryDescription(Path statusFile) throws IOException {
        List<String> lines = Files.readAllLines(statusFile);
        for (String line : lines) {
            if (line.startsWith(MEMORY_LINE)) {
                return line.substring(MEMORY_LINE.length());
            }
        }
        throw new IOException(statusFile + " has no \"memory\" line: not the status file of this emulator");
    }

    /**
     * The memory model the status file names.
     *
     * @param statusFile an emulated device's status file
     * @return {@link MemoryMode#PASSTHROUGH} or {@link MemoryMode#PAGE_CACHE}
     * @throws IOException when the file cannot be read or has no memory line
     */
    public static MemoryMode memoryMode(Path statusFile) throws IOException {
        String description = memoryDescription(statusFile);
        int space = description.indexOf(' ');
        return MemoryMode.fromOptionName(space < 0 ? description : description.substring(0, space));
    }
}
