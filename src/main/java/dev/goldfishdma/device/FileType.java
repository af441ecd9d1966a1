package dev.goldfishdma.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The type of a file as the kernel reports it ({@code st_mode & S_IFMT}), in words for error messages: the
 * device check says what a path given as the device really is.
 */
public enum FileType {
    /** An ordinary file. */
    REGULAR_FILE(0100000, "a regular file"),
    /** A directory. */
    DIRECTORY(0040000, "a directory"),
    /** A character device: what the driver's node is. */
    CHARACTER_DEVICE(0020000, "a character device"),
    /** A block device (a disk). */
    BLOCK_DEVICE(0060000, "a block device"),
    /** A named pipe. */
    FIFO(0010000, "a FIFO (named pipe)"),
    /** A unix domain socket. */
    SOCKET(0140000, "a socket"),
    /** A symbolic link (only seen when links are not followed). */
    SYMBOLIC_LINK(0120000, "a symbolic link");

    // The S_IF* values of <linux/stat.h>: one set for every Linux architecture (the test checks each against
    // a real file of the type).
    private static final int S_IFMT = 0170000;

    private final int bits;
    private final String description;

    FileType(int bits, String description) {
        this.bits = bits;
        this.description = description;
    }

    /** {@return the type in words, with its article: "a regular file", "a FIFO (named pipe)"} */
    public String description() {
        return description;
    }

    /**
     * {@return the type of {@code path}, following symbolic links}
     *
     * @param path the file to look at
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws IOException                       if its attributes cannot be read
     */
    public static FileType of(Path path) throws IOException {
        return ofMode((Integer) Files.getAttribute(path, "unix:mode"));
    }

    /**
     * {@return the type of {@code path} itself, a symbolic link not followed}
     *
     * @param path the file to look at
     * @throws IOException if its attributes cannot be read, e.g. {@link java.nio.file.NoSuchFileException}
     */
    public static FileType ofLink(Path path) throws IOException {
        return ofMode((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * The type of what the open descriptor {@code fd} of this process refers to: the kernel's {@code fstat} of
     * it, read through {@code /proc/self/fd}, whose entries stand for the open file itself.
     */
    static FileType ofDescriptor(int fd) throws IOException {
        return of(Path.of("/proc/self/fd/" + fd));
    }

    static FileType ofMode(int mode) {
        for (FileType t : values()) {
            if ((mode & S_IFMT) == t.bits) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown file type in mode 0" + Integer.toOctalString(mode));
    }

    @Override
    public String toString() {
        return description;
    }
}
