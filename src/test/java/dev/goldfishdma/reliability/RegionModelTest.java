package dev.goldfishdma.reliability;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.device.RegionLock;
import dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.service.DmaServiceProtocol;
import dev.goldfishdma.testing.Reliability;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property test: random sequences of region operations with random sizes and offsets, valid and not, checked
 * against a plain byte array as the model. Each operation either does what the model says or throws the
 * documented exception for its input; every byte the host reads is the byte the guest wrote, and every byte
 * the host writes is what the guest reads. A failure names the seed and the operations that led to it.
 */
class RegionModelTest {
    @RegisterExtension
    static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();
    private static final AtomicLong OPERATIONS = new AtomicLong();

    @AfterAll
    static void report() {
        Reliability.report("property", OPERATIONS.get() + " random region operations checked against the model");
    }

    @TestFactory
    Stream<DynamicTest> randomOperationSequencesFollowTheModel() {
        int sequences = Reliability.scale(40, 400);
        return IntStream.range(0, sequences).mapToObj(seed ->
                DynamicTest.dynamicTest("seed " + seed, () -> runSequence(seed, 150)));
    }

    private static void runSequence(long seed, int steps) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        long size = DriverRules.pageSize() * (1 + random.nextInt(64));
        List<String> log = new ArrayList<>();
        byte[] model = new byte[(int) size];
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DmaServiceProtocol.SERVICE_NAME);
             DmaRegion region = pipe.createRegion(size);
             Arena arena = Arena.ofConfined()) {
            region.segment().fill((byte) 0);
            boolean closed = false;
            for (int step = 0; step < steps; step++) {
                int op = random.nextInt(closed ? 3 : 9);
                long offset = offset(random, size);
                long length = length(random, size);
                boolean valid = offset >= 0 && length >= 0 && offset <= size - length;
                String what = switch (op) {
                    case 0 -> "write byte[]";
                    case 1 -> "read byte[]";
                    case 2 -> "write segment";
                    case 3 -> "write buffer";
                    case 4 -> "host crc";
                    case 5 -> "host fill";
                    case 6 -> "read segment";
                    case 7 -> "lock";
                    default -> "close";
                } + " offset=" + offset + " length=" + length;
                log.add(what);
                OPERATIONS.incrementAndGet();
                try {
                    switch (op) {
                        case 0 -> {
                            int len = (int) Math.max(0, Math.min(length, 1 << 20));
                            byte[] data = bytes(random, len);
                            int srcOff = random.nextInt(4) == 0 ? random.nextInt(-2, 3) : 0;
                            boolean srcValid = srcOff >= 0 && srcOff + len <= data.length;
                            expect(valid && srcValid && len == length, closed, () -> region.write(offset, data,
                                    srcOff, (int) length));
                            if (!closed && valid && srcValid && len == length) {
                                System.arraycopy(data, srcOff, model, (int) offset, (int) length);
                            }
                        }
                        case 1 -> {
                            byte[] back = new byte[(int) Math.max(0, Math.min(length, size))];
                            boolean fits = valid && back.length == length;
                            expect(fits, closed, () -> region.read(offset, back, 0, (int) length));
                            if (!closed && fits) {
                                assertArrayEquals(java.util.Arrays.copyOfRange(model, (int) offset,
                                        (int) (offset + length)), back, "read back");
                            }
                        }
                        case 2 -> {
                            MemorySegment src = arena.allocate(Math.max(0, Math.min(length, size)));
                            src.copyFrom(MemorySegment.ofArray(bytes(random, (int) src.byteSize())));
                            boolean fits = fits(offset, src.byteSize(), size);
                            expect(fits, closed, () -> region.write(offset, src));
                            if (!closed && fits) {
                                MemorySegment.copy(src, JAVA_BYTE, 0, model, (int) offset, (int) src.byteSize());
                            }
                        }
                        case 3 -> {
                            byte[] data = bytes(random, (int) Math.max(0, Math.min(length, size)));
                            ByteBuffer src = ByteBuffer.wrap(data);
                            boolean fits = fits(offset, data.length, size);
                            expect(fits, closed, () -> region.write(offset, src));
                            if (!closed && fits) {
                                System.arraycopy(data, 0, model, (int) offset, data.length);
                            }
                        }
                        case 4 -> hostCrc(pipe, region, model, offset, length, valid, arena);
                        case 5 -> {
                            int fillSeed = random.nextInt();
                            if (valid) {
                                hostFill(pipe, region, fillSeed, offset, length, arena);
                                MemorySegment expected = MemorySegment.ofArray(model).asSlice(offset, length);
                                DmaServiceProtocol.fillPattern(expected, fillSeed, 0);
                            }
                        }
                        case 6 -> {
                            MemorySegment dst = arena.allocate(Math.max(0, Math.min(length, size)));
                            boolean fits = fits(offset, dst.byteSize(), size);
                            expect(fits, closed, () -> region.read(offset, dst));
                            if (!closed && fits) {
                                assertEquals(-1, MemorySegment.ofArray(model).asSlice(offset, dst.byteSize())
                                        .mismatch(dst), "read back");
                            }
                        }
                        case 7 -> {
                            try (RegionLock held = region.lock()) {
                                assertEquals(region, held.region());
                            }
                        }
                        default -> {
                            if (random.nextInt(10) == 0) {
                                region.close();
                                closed = true;
                            }
                        }
                    }
                } catch (AssertionError e) {
                    fail("seed " + seed + ", region of " + size + " bytes, after " + log, e);
                }
            }
            if (!closed) {
                MemorySegment all = arena.allocate(size);
                region.read(0, all);
                assertEquals(-1, MemorySegment.ofArray(model).mismatch(all), "seed " + seed + ": final contents");
            }
        }
    }

    /** Runs {@code action}: fine if the input is valid and the region open, else the documented exception. */
    private static void expect(boolean valid, boolean closed, ThrowingRunnable action) throws Exception {
        try {
            action.run();
            if (closed) {
                fail("an access after close succeeded");
            }
            if (!valid) {
                fail("an out-of-range access succeeded");
            }
        } catch (IllegalStateException e) {
            if (!closed) {
                throw new AssertionError("IllegalStateException on an open region", e);
            }
        } catch (IndexOutOfBoundsException e) {
            // Arguments are checked before the region's state: bad ones are refused even after close.
            if (valid) {
                throw new AssertionError("IndexOutOfBoundsException for a valid access", e);
            }
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void hostCrc(GoldfishPipe pipe, DmaRegion region, byte[] model, long offset, long length,
                                boolean valid, Arena arena) throws Exception {
        MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
        DmaServiceProtocol.encodeCrc(command, region.physicalAddress(), offset, length);
        pipe.write(command);
        MemorySegment answer = arena.allocate(DmaServiceProtocol.ANSWER_SIZE);
        pipe.readFully(answer);
        if (!valid) {
            assertEquals(Errno.EINVAL, DmaServiceProtocol.decodeStatus(answer), "host refuses a bad range");
            return;
        }
        assertEquals(0, DmaServiceProtocol.decodeStatus(answer));
        CRC32C crc = new CRC32C();
        crc.update(model, (int) offset, (int) length);
        assertEquals(crc.getValue(), DmaServiceProtocol.decodeCrc(answer), "host CRC32C");
    }

    private static void hostFill(GoldfishPipe pipe, DmaRegion region, int seed, long offset, long length, Arena arena)
            throws Exception {
        MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
        DmaServiceProtocol.encodeFill(command, seed, region.physicalAddress(), offset, length);
        pipe.write(command);
        MemorySegment answer = arena.allocate(DmaServiceProtocol.ANSWER_SIZE);
        pipe.readFully(answer);
        assertEquals(0, DmaServiceProtocol.decodeStatus(answer));
    }

    private static boolean fits(long offset, long length, long size) {
        return offset >= 0 && length >= 0 && offset <= size - length;
    }

    private static long offset(SplittableRandom random, long size) {
        return switch (random.nextInt(10)) {
            case 0 -> -1 - random.nextInt(4096);
            case 1 -> size + random.nextInt(4096);
            case 2 -> Long.MAX_VALUE - random.nextInt(16);
            case 3 -> size - random.nextInt(1, 64);
            default -> random.nextLong(size);
        };
    }

    private static long length(SplittableRandom random, long size) {
        return switch (random.nextInt(10)) {
            case 0 -> -1 - random.nextInt(16);
            case 1 -> 0;
            case 2 -> size + 1 - random.nextInt(2);
            default -> random.nextLong(1, Math.min(size, 256 * 1024) + 1);
        };
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
