package dev.goldfishdma.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * What {@code transfer} sends: a file, read with read(2) straight into the memory it is given, or random
 * bytes. Either can be produced again from the start, so that the baseline and the transfer read the same
 * input.
 */
sealed interface TransferInput extends AutoCloseable permits TransferInput.FromFile, TransferInput.Random {

    /** The input's length in bytes. */
    long length();

    /** Starts again from the first byte. */
    void rewind() throws IOException;

    /**
     * Fills {@code dst} with the next {@code dst.byteSize()} bytes.
     *
     * @throws IOException when the input ends first
     */
    void next(MemorySegment dst) throws IOException;

    @Override
    void close() throws IOException;

    /** A file, read through one channel: read(2) into the destination itself, a native segment. */
    final class FromFile implements TransferInput {
        private final Path path;
        private final FileChannel channel;
        private final long length;

        FromFile(Path path) throws IOException {
            this.path = path;
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
            this.length = channel.size();
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public void rewind() throws IOException {
            channel.position(0);
        }

        @Override
        public void next(MemorySegment dst) throws IOException {
            ByteBuffer buffer = dst.asByteBuffer();
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new IOException(path + " ended after " + channel.position() + " of " + length + " bytes");
                }
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** {@code length} random bytes from {@code seed}, the same bytes after each {@link #rewind()}. */
    final class Random implements TransferInput {
        private final long length;
        private final long seed;
        private final byte[] piece = new byte[64 * 1024];
        private SplittableRandom random;

        Random(long length, long seed) {
            this.length = length;
            this.seed = seed;
            this.random = new SplittableRandom(seed);
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public void rewind() {
            random = new SplittableRandom(seed);
        }

        @Override
        public void next(MemorySegment dst) {
            for (long done = 0; done < dst.byteSize(); ) {
                int n = (int) Math.min(piece.length, dst.byteSize() - done);
                random.nextBytes(piece);
                MemorySegment.copy(MemorySegment.ofArray(piece), 0, dst, done, n);
                done += n;
            }
        }

        @Override
        public void close() {
        }
    }
}
