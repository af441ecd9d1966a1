package dev.goldfishdma.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What this process holds of the kernel's resources: open descriptors and memory mappings, read from
 * {@code /proc/self}. Leak tests compare a snapshot taken before with one taken after.
 *
 * @param descriptors the targets of {@code /proc/self/fd/*} ("fd -> target")
 * @param mappings    the lines of {@code /proc/self/maps} that map a file (device mappings included)
 */
public record ProcessResources(Set<String> descriptors, Set<String> mappings) {

    /** Takes a snapshot now. */
    public static ProcessResources now() throws IOException {
        Set<String> fds = new TreeSet<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : entries.toList()) {
                try {
                    fds.add(fd.getFileName() + " -> " + Files.readSymbolicLink(fd));
                } catch (IOException e) {
                    // the descriptor used to list the directory, closed since
                }
            }
        }
        Set<String> maps = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .map(String::trim)
                .filter(line -> line.split("\\s+").length >= 6)
                .collect(Collectors.toCollection(TreeSet::new));
        return new ProcessResources(fds, maps);
    }

    /** Descriptors open now that were not open in {@code before}. */
    public List<String> descriptorsOpenedSince(ProcessResources before) {
        return descriptors.stream().filter(d -> !before.descriptors.contains(d)).toList();
    }

    /** File mappings present now that were not in {@code before}. */
    public List<String> mappingsAddedSince(ProcessResources before) {
        return mappings.stream().filter(m -> !before.mappings.contains(m)).toList();
    }

    /** File mappings present now whose path contains {@code pathPart}. */
    public List<String> mappingsOf(String pathPart) {
        return mappings.stream().filter(m -> m.contains(pathPart)).toList();
    }
}
