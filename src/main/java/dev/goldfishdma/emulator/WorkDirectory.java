package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.FuseMount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The temporary directories that emulated devices are started in ({@link AvailableDevice}, the JUnit
 * extension, tests), and the removal of those left behind by runs that were killed before they could remove
 * their own.
 *
 * <p>{@link #create(String)} makes a directory under {@code java.io.tmpdir} and writes into it a marker,
 * {@value #MARKER}, naming the process that owns it (its pid and start time, so that a reused pid does not
 * pass for it). Before that it removes the abandoned ones: a directory of the temporary directory whose
 * name starts with {@value #NAME_PREFIX}, that belongs to this user, holds such a marker, whose process is
 * gone, and on or under which nothing is mounted once the dead mounts of killed emulators are detached.
 * Nothing else is ever removed: a directory without a marker, another user's, a live process's, or one with
 * a live mount inside stays as it is.
 */
public final class WorkDirectory {
    /** The beginning of the name of every directory {@link #create(String)} makes. */
    public static final String NAME_PREFIX = "goldfish-";
    /** The marker file that names the owning process. */
    public static final String MARKER = ".goldfish-dma-owner";
    private static final String MARKER_TITLE = "goldfish-dma work directory";
    private static final System.Logger LOG = System.getLogger(WorkDirectory.class.getName());

    private WorkDirectory() {
    }

    /**
     * Removes the abandoned work directories (see the class documentation), then makes a new one owned by
     * this process.
     *
     * @param prefix the beginning of its name, starting with {@value #NAME_PREFIX}, e.g.
     *               {@code "goldfish-dma-"}
     * @return the new directory, mode 0700, holding only the marker
     * @throws IOException when the directory or its marker cannot be made
     */
    public static Path create(String prefix) throws IOException {
        if (!prefix.startsWith(NAME_PREFIX)) {
            throw new IllegalArgumentException("a work directory's name starts with " + NAME_PREFIX + ": " + prefix);
        }
        removeAbandoned(Path.of(System.getProperty("java.io.tmpdir")));
        Path dir = Files.createTempDirectory(prefix);
        try {
            ProcessHandle self = ProcessHandle.current();
            markOwner(dir, self.pid(), self.info().startInstant().map(Instant::toString).orElse("unknown"));
        } catch (IOException | RuntimeException e) {
            delete(dir);
            throw e;
        }
        return dir;
    }

    /** Writes the marker naming process {@code pid}, started at {@code start} ({@link Instant#toString()}). */
    static void markOwner(Path dir, long pid, String start) throws IOException {
        Files.writeString(dir.resolve(MARKER), MARKER_TITLE + "\npid " + pid + "\nstart " + start + "\n",
                StandardCharsets.UTF_8);
    }

    /**
     * Removes the abandoned work directories in {@code parent} (see the class documentation).
     *
     * @param parent where to look, normally {@code java.io.tmpdir}
     * @return the directories removed
     */
    public static List<Path> removeAbandoned(Path parent) {
        List<Path> removed = new ArrayList<>();
        List<Path> candidates;
        try (Stream<Path> entries = Files.list(parent)) {
            candidates = entries.filter(p -> p.getFileName().toString().startsWith(NAME_PREFIX)).toList();
        } catch (IOException e) {
            return removed;
        }
        for (Path dir : candidates) {
            try {
                if (abandoned(dir) && unmountedDeadMounts(dir)) {
                    delete(dir);
                    removed.add(dir);
                    LOG.log(System.Logger.Level.INFO, "removed " + dir + ", the work directory of a run that "
                            + "ended without removing it");
                }
            } catch (IOException | RuntimeException e) {
                // Someone else's business, or gone meanwhile: leave it.
            }
        }
        return removed;
    }

    /** Whether {@code dir} is this user's directory with a marker naming a process that is gone. */
    private static boolean abandoned(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !ownedByMe(dir)) {
            return false;
        }
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS) || !ownedByMe(marker)
                || Files.size(marker) > 4096) {
            return false;
        }
        List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
        if (lines.size() < 3 || !lines.get(0).equals(MARKER_TITLE) || !lines.get(1).startsWith("pid ")
                || !lines.get(2).startsWith("start ")) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(1).substring("pid ".length()));
        } catch (NumberFormatException e) {
            return false;
        }
        String start = lines.get(2).substring("start ".length());
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return true;
        }
        // The pid lives: the owner still, unless its start time shows a newer process under a reused pid.
        Optional<Instant> started = process.get().info().startInstant();
        return started.isPresent() && !start.equals("unknown") && !started.get().toString().equals(start);
    }

    private static boolean ownedByMe(Path path) throws IOException {
        Object uid = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        return uid instanceof Integer id && Integer.toUnsignedLong(id) == dev.goldfishdma.libc.Libc.getuid();
    }

    /**
     * Detaches the dead emulator mounts on or under {@code dir}; whether nothing is mounted there after
     * that (a live mount is left alone, and so is the directory then).
     */
    private static boolean unmountedDeadMounts(Path dir) throws IOException {
        List<FuseMount.Mount> mounts = FuseMount.mountsUnder(dir);
        // The deepest first: a mount on a directory below another mount is reached through it.
        for (int i = mounts.size() - 1; i >= 0; i--) {
            try {
                FuseMount.detachStale(mounts.get(i).mountPoint());
            } catch (IOException e) {
                return false; // a live mount
            }
        }
        return FuseMount.mountsUnder(dir).isEmpty();
    }

    /**
     * Removes {@code dir} and everything in it, following no symbolic link. Nothing when it does not exist.
     *
     * @param dir a work directory with nothing mounted under it
     * @throws IOException when something in it cannot be removed
     */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                deleteIfThere(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                deleteIfThere(directory);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    private static void deleteIfThere(Path path) throws IOException {
        Files.deleteIfExists(path);
    }
}
