package dev.goldfishdma.cli;

import dev.goldfishdma.device.FileType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * What {@code transfer} sends: random data of a given size, or bytes read from a stream (a file, standard
 * input, a pipe, a FIFO, a character device), up to a limit if one is given. Opened before anything else is
 * started, so that a bad input is a usage error with nothing to undo.
 */
final class TransferInput implements AutoCloseable {
    /** What stands for standard input as a file name. */
    static final String STDIN = "-";

    private final String name;
    private final InputStream stream;
    private final SplittableRandom random;
    private final long limit;

    private TransferInput(String name, InputStream stream, SplittableRandom random, long limit) {
        this.name = name;
        this.stream = stream;
        this.random = random;
        this.limit = limit;
    }

    /** {@code size} bytes of random data from {@code seed}. */
    static TransferInput random(long size, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("--size must be at least 1 byte: " + size);
        }
        return new TransferInput("random data", null, new SplittableRandom(seed), size);
    }

    /**
     * The file {@code file} ({@value #STDIN}: standard input), all of it or its first {@code size} bytes
     * ({@code size} null: to its end).
     *
     * @throws IllegalArgumentException if it is missing, unreadable, a directory or a socket, if it is a device
     *                                  and no size is given, or if a regular file is shorter than {@code size}
     */
    static TransferInput open(String file, Long size, InputStream stdin) throws IOException {
        if (size != null && size < 1) {
            throw new IllegalArgumentException("--size must be at least 1 byte: " + size);
        }
        long limit = size == null ? -1 : size;
        if (file.equals(STDIN)) {
            return new TransferInput("standard input", stdin, null, limit);
        }
        Path path = Path.of(file);
        FileType type;
        try {
            type = FileType.of(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--file: " + file + " does not exist");
        }
        switch (type) {
            case DIRECTORY, SOCKET -> throw new IllegalArgumentException("--file: " + file + " is "
                    + type.description() + "; give a file, a FIFO, a device with --size, or - for standard input");
            case CHARACTER_DEVICE, BLOCK_DEVICE -> {
                if (size == null) {
                    throw new IllegalArgumentException("--file: " + file + " is " + type.description()
                            + ", which may never end: give --size");
                }
            }
            case REGULAR_FILE -> {
                long length = Files.size(path);
                if (size != null && size > length) {
                    throw new IllegalArgumentException("--file: " + file + " has " + length + " bytes, fewer than"
                            + " --size " + size);
                }
            }
            default -> {
                // a FIFO: read to its end, or to the limit
            }
        }
        try {
            return new TransferInput(file, Files.newInputStream(path), null, limit);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("--file: " + file + " cannot be read: permission denied");
        }
    }

    /** The input, for messages: a file name, "standard input" or the random data. */
    String name() {
        return name;
    }

    /** The number of bytes to send if known in advance (random data, a limit), else -1. */
    long knownSize() {
        return random != null || limit >= 0 ? limit : -1;
    }

    /** Whether the input must give exactly {@link #knownSize()} bytes: a limit was set. */
    boolean hasLimit() {
        return limit >= 0;
    }

    /**
     * Fills {@code buffer} from its start with the next bytes, as many as there are up to its length (and the
     * limit, {@code done} bytes having been read before).
     *
     * @return the bytes read; less than asked only at the end of the input
     */
    int read(byte[] buffer, long done) throws IOException {
        int want = limit >= 0 ? (int) Math.min(buffer.length, limit - done) : buffer.length;
        if (random != null) {
            byte[] fresh = want == buffer.length ? buffer : new byte[want];
            random.nextBytes(fresh);
            if (fresh != buffer) {
                System.arraycopy(fresh, 0, buffer, 0, want);
            }
            return want;
        }
        return stream.readNBytes(buffer, 0, want);
    }

    @Override
    public void close() throws IOException {
        if (stream != null && !name.equals("standard input")) {
            stream.close();
        }
    }
}
