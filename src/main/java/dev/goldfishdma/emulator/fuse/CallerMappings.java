package dev.goldfishdma.emulator.fuse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Whether a process has a device inode of this mount mapped: what the driver knows at mmap and a FUSE server
 * is never told. Read from {@code /proc/<pid>/maps}, whose lines name each mapping's device and inode; a
 * mapping of the device file shows the mount's device and the pipe's node id (with passthrough too: the
 * kernel shows the FUSE file for the region's backing file). The pid is the one FUSE gives with the
 * request; reading another user's maps needs the right to trace it, which the emulator has over its own
 * users' processes.
 */
final class CallerMappings {
    private final String deviceNumber;

    /** @param deviceNumber the mount's device number as maps prints it (see {@link FuseMount#mapsDeviceNumber()}) */
    CallerMappings(String deviceNumber) {
        this.deviceNumber = deviceNumber;
    }

    /** Whether process {@code pid} has inode {@code nodeId} of the mount mapped; false when it cannot tell. */
    boolean maps(int pid, long nodeId) {
        if (pid <= 0) {
            return false;
        }
        String inode = Long.toString(nodeId);
        try (Stream<String> lines = Files.lines(Path.of("/proc", Integer.toString(pid), "maps"))) {
            return lines.anyMatch(line -> {
                // start-end perms offset dev inode [path]
                String[] fields = line.split(" +", 7);
                return fields.length >= 5 && fields[3].equals(deviceNumber) && fields[4].equals(inode);
            });
        } catch (IOException | UncheckedIOException e) {
            return false; // the process is gone, or its maps are not ours to read
        }
    }
}
