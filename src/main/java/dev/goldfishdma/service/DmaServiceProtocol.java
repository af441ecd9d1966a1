package dev.goldfishdma.service;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The wire protocol of the emulated host's {@code dma} service, for both sides: encode and decode commands and answers,
 * and generate the pattern the host writes, to verify it.
 *
 * <p>The service is modelled on how emulator services use DMA: the guest writes into its mapped region,
 * then sends the host the region's physical address over the pipe; the host looks the region up by that
 * address (host-wide, like the real host) and reads or writes the guest memory directly. All numbers are
 * little-endian.
 *
 * <pre>
 * command, {@value #COMMAND_SIZE} bytes:  u32 op | u32 seed (FILL) or 0 | u64 phys | u64 offset | u64 length
 * answer,  {@value #ANSWER_SIZE} bytes:  i32 status (0, or a positive errno such as EINVAL) | u32 crc32c
 * </pre>
 *
 * <ul>
 * <li>{@link #OP_CRC}: the host reads {@code [phys + offset, phys + offset + length)} of the region whose
 *     physical address is {@code phys} and answers the CRC-32C ({@link java.util.zip.CRC32C}) of those
 *     bytes.</li>
 * <li>{@link #OP_FILL}: the host writes {@link #patternByte(int, long) patternByte(seed, i)} for
 *     {@code i = 0 .. length-1} into that range (the pattern's index starts at 0 at {@code offset}) and
 *     answers the CRC-32C of what it wrote.</li>
 * </ul>
 * An unknown address, a range outside the region or an unknown op answers status EINVAL and CRC 0. Answers
 * come in the order of the commands.
 */
public final class DmaServiceProtocol {
    /** The service name: connect with {@code "pipe:dma\0"}. */
    public static final String SERVICE_NAME = "dma";
    /** Size of one command in bytes. */
    public static final int COMMAND_SIZE = 32;
    /** Size of one answer in bytes. */
    public static final int ANSWER_SIZE = 8;
    /** Op: CRC-32C of a range of guest memory. */
    public static final int OP_CRC = 1;
    /** Op: fill a range of guest memory with the pattern, and answer its CRC-32C. */
    public static final int OP_FILL = 2;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long OFFSET_OP = 0;
    private static final long OFFSET_SEED = 4;
    private static final long OFFSET_PHYS = 8;
    private static final long OFFSET_OFFSET = 16;
    private static final long OFFSET_LENGTH = 24;

    private DmaServiceProtocol() {
    }

    /**
     * Writes a CRC command into the first {@value #COMMAND_SIZE} bytes of {@code dst}.
     *
     * @param dst    where the command goes
     * @param phys   the guest physical address of the region
     * @param offset where in the region the bytes start
     * @param length how many bytes
     */
    public static void encodeCrc(MemorySegment dst, long phys, long offset, long length) {
        encode(dst, OP_CRC, 0, phys, offset, length);
    }

    /**
     * Writes a FILL command into the first {@value #COMMAND_SIZE} bytes of {@code dst}.
     *
     * @param dst    where the command goes
     * @param seed   the pattern to fill with (see {@link #patternByte})
     * @param phys   the guest physical address of the region
     * @param offset where in the region the bytes start
     * @param length how many bytes
     */
    public static void encodeFill(MemorySegment dst, int seed, long phys, long offset, long length) {
        encode(dst, OP_FILL, seed, phys, offset, length);
    }

    private static void encode(MemorySegment dst, int op, int seed, long phys, long offset, long length) {
        Objects.checkFromIndexSize(0, COMMAND_SIZE, dst.byteSize());
        dst.set(U32, OFFSET_OP, op);
        dst.set(U32, OFFSET_SEED, seed);
        dst.set(U64, OFFSET_PHYS, phys);
        dst.set(U64, OFFSET_OFFSET, offset);
        dst.set(U64, OFFSET_LENGTH, length);
    }

    /**
     * {@return the status of an answer: 0 for success, else a positive errno}
     *
     * @param answer an answer of {@value #ANSWER_SIZE} bytes
     */
    public static int decodeStatus(MemorySegment answer) {
        return answer.get(U32, 0);
    }

    /**
     * {@return the CRC-32C of an answer, as an unsigned 32-bit value (comparable with {@code CRC32C.getValue()})}
     *
     * @param answer an answer of {@value #ANSWER_SIZE} bytes
     */
    public static long decodeCrc(MemorySegment answer) {
        return Integer.toUnsignedLong(answer.get(U32, 4));
    }

    /**
     * Writes an answer; the service's side.
     *
     * @param dst    where the answer goes
     * @param status 0 for success, else a positive errno
     * @param crc    the CRC-32C, for a CRC command
     */
    public static void encodeAnswer(MemorySegment dst, int status, long crc) {
        dst.set(U32, 0, status);
        dst.set(U32, 4, (int) crc);
    }

    /**
     * {@return the op of a command}
     *
     * @param command a command of {@value #COMMAND_SIZE} bytes
     */
    public static int decodeOp(MemorySegment command) {
        return command.get(U32, OFFSET_OP);
    }

    /**
     * {@return the seed of a FILL command}
     *
     * @param command a command of {@value #COMMAND_SIZE} bytes
     */
    public static int decodeSeed(MemorySegment command) {
        return command.get(U32, OFFSET_SEED);
    }

    /**
     * {@return the physical address of a command}
     *
     * @param command a command of {@value #COMMAND_SIZE} bytes
     */
    public static long decodePhys(MemorySegment command) {
        return command.get(U64, OFFSET_PHYS);
    }

    /**
     * {@return the offset of a command}
     *
     * @param command a command of {@value #COMMAND_SIZE} bytes
     */
    public static long decodeOffset(MemorySegment command) {
        return command.get(U64, OFFSET_OFFSET);
    }

    /**
     * {@return the length of a command}
     *
     * @param command a command of {@value #COMMAND_SIZE} bytes
     */
    public static long decodeLength(MemorySegment command) {
        return command.get(U64, OFFSET_LENGTH);
    }

    /**
     * Byte {@code index} of the FILL pattern for {@code seed}: a cheap deterministic mix of both, so that
     * a shifted, truncated or foreign fill does not match.
     *
     * @param seed  the FILL command's seed
     * @param index the byte's index from the start of the fill
     * @return the byte
     */
    public static byte patternByte(int seed, long index) {
        long x = index * 0x9E3779B97F4A7C15L + seed;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        return (byte) (x ^ (x >>> 32));
    }

    /**
     * Fills all of {@code dst} with the pattern for {@code seed}, its first byte being index {@code startIndex}.
     *
     * @param dst        what to fill
     * @param seed       the FILL command's seed
     * @param startIndex the pattern index of {@code dst}'s first byte
     */
    public static void fillPattern(MemorySegment dst, int seed, long startIndex) {
        long size = dst.byteSize();
        for (long i = 0; i < size; i++) {
            dst.set(ValueLayout.JAVA_BYTE, i, patternByte(seed, startIndex + i));
        }
    }
}
