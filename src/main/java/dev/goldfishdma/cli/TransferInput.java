package dev.goldfishdma.cli;

import dev.goldfishdma.device.FileType;
import dev.goldfishdma.transfer.TransferSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * What {@code transfer} sends: random data of a given size, or bytes read from a stream (a file, standard
 * input, a pipe, a FIFO, a character device), up to a limit if one is given. Opened before anything else is
 * started, so that a bad input is a usage error with nothing to undo.
 *
 * <p>Anything opened by its path is read through a {@link FileChannel}, with read(2) straight into the memory
 * given ({@link #read(MemorySegment, long)}: a DMA region); standard input through its stream. Random data
 * and regular files can be read again from the start ({@link #rewind()}), which the baseline and the repeated
 * passes of a transfer need.
 */
final class TransferInput implements TransferSource, AutoCloseable {
    /** What stands for standard input as a file name. */
    static final String STDIN = "-";
    private static final int PIECE = 64 * 1024;

    private final String name;
    private final InputStream stream;
    private final FileChannel channel;
    private final boolean regularFile;
    private final long seed;
    private SplittableRandom random;
    private final long limit;
    private byte[] piece;

    private TransferInput(String name, InputStream stream, FileChannel channel, boolean regularFile, long seed,
                          SplittableRandom random, long limit) {
        this.name = name;
        this.stream = stream;
        this.channel = channel;
        this.regularFile = regularFile;
        this.seed = seed;
        this.random = random;
        this.limit = limit;
    }

    /** {@code size} bytes of random data from {@code seed}. */
    static TransferInput random(long size, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("--size must be at least 1 byte: " + size);
        }
        return new TransferInput("random data", null, null, false, seed, new SplittableRandom(seed), size);
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
            return new TransferInput("standard input", stdin, null, false, 0, null, limit);
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
            return new TransferInput(file, null, FileChannel.open(path, StandardOpenOption.READ),
                    type == FileType.REGULAR_FILE, 0, null, limit);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("--file: " + file + " cannot be read: permission denied");
        }
    }

    /** The input, for messages: a file name, "standard input" or the random data. */
    String name() {
        return name;
    }

    /** The number of bytes to send if known in advance (random data, a limit, a regular file), else -1. */
    long knownSize() throws IOException {
        if (random != null || limit >= 0) {
            return limit;
        }
        return regularFile ? channel.size() : -1;
    }

    /** Whether {@link #rewind()} can start the input again: random data and regular files. */
    boolean rewindable() {
        return random != null || regularFile;
    }

    /**
     * Starts the input again from its first byte, giving the same bytes again.
     *
     * @throws IllegalStateException if the input is not {@linkplain #rewindable() rewindable}
     */
    void rewind() throws IOException {
        if (random != null) {
            random = new SplittableRandom(seed);
        } else if (regularFile) {
            channel.position(0);
        } else {
            throw new IllegalStateException(name + " cannot be read again");
        }
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
        if (channel != null) {
            return readFully(ByteBuffer.wrap(buffer, 0, want));
        }
        return stream.readNBytes(buffer, 0, want);
    }

    /**
     * Fills {@code dst} (native memory) from its start with the next bytes, as many as there are up to its
     * size (and the limit, {@code done} bytes having been read before): with read(2) straight into it for
     * anything opened by its path.
     *
     * @return the bytes read; less than asked only at the end of the input
     */
    @Override
    public int read(MemorySegment dst, long done) throws IOException {
        int want = (int) (limit >= 0 ? Math.min(dst.byteSize(), limit - done) : Math.min(dst.byteSize(),
                Integer.MAX_VALUE));
        if (channel != null) {
            return readFully(dst.asSlice(0, want).asByteBuffer());
        }
        if (piece == null) {
            piece = new byte[PIECE];
        }
        int filled = 0;
        while (filled < want) {
            int ask = Math.min(piece.length, want - filled);
            int got;
            if (random != null) {
                random.nextBytes(piece);
                got = ask;
            } else {
                got = stream.readNBytes(piece, 0, ask);
            }
            MemorySegment.copy(MemorySegment.ofArray(piece), 0, dst, filled, got);
            filled += got;
            if (got < ask) {
                break; // the end of standard input
            }
        }
        return filled;
    }

    private int readFully(ByteBuffer buffer) throws IOException {
        int start = buffer.position();
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
            // read(2) returns what is there: a FIFO or a device may give less than asked
        }
        return buffer.position() - start;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
