package dev.goldfishdma.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's peak resident memory, as {@code VmHWM} in {@code /proc/<pid>/status} records it. */
final class PeakMemory {
    private PeakMemory() {
    }

    /** E.g. {@code "118 MiB"}, or why it is not known. */
    static String of(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return (kib + 512) / 1024 + " MiB";
                }
            }
            return "unknown (no VmHWM in /proc/" + pid + "/status)";
        } catch (IOException | NumberFormatException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
