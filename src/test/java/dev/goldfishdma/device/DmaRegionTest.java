package dev.goldfishdma.device;

import dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension;
import dev.goldfishdma.service.DmaServiceProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DMA region through real syscalls on the emulated device, checked by what the host reads. */
class DmaRegionTest {
    private static final String DMA = DmaServiceProtocol.SERVICE_NAME;
    private static final long PAGE = DriverRules.pageSize();
    @RegisterExtension
    static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();

    @Test
    void theHostReadsExactlyWhatEachWriteVariantWrote() throws Exception {
        long size = 32L << 20;
        SplittableRandom random = new SplittableRandom(42);
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
             DmaRegion region = pipe.createRegion(size);
             Arena arena = Arena.ofConfined()) {
            assertEquals(size, region.segment().byteSize());
            long phys = region.physicalAddress();
            assertNotEquals(0, phys);
            assertEquals(0, phys % PAGE);

            byte[] heap = new byte[(int) size];
            random.nextBytes(heap);
            region.write(0, heap, 0, heap.length);
            assertEquals(HostChecksums.local(heap, 0, heap.length), HostChecksums.crc(pipe, phys, 0, size));
            for (int i = 0; i < 8; i++) {
                int offset = random.nextInt((int) size);
                int length = random.nextInt((int) size - offset) + 1;
                assertEquals(HostChecksums.local(heap, offset, length), HostChecksums.crc(pipe, phys, offset, length),
                        "range " + offset + "+" + length);
            }

            MemorySegment offHeap = arena.allocate(1 << 20);
            offHeap.fill((byte) 0x5a);
            region.write(5 << 20, offHeap);
            assertEquals(HostChecksums.local(offHeap), HostChecksums.crc(pipe, phys, 5 << 20, 1 << 20));

            ByteBuffer buffer = ByteBuffer.allocate(12345);
            random.nextBytes(buffer.array());
            region.write(777, buffer);
            assertFalse(buffer.hasRemaining(), "write(ByteBuffer) consumes the buffer");
            assertEquals(HostChecksums.local(buffer.array(), 0, 12345), HostChecksums.crc(pipe, phys, 777, 12345));

            byte[] back = new byte[12345];
            region.read(777, back, 0, back.length);
            assertArrayEquals(buffer.array(), back);
        }
    }

    @Test
    void partialSegmentCopiesAndSlicedBuffersReachTheHost() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
             DmaRegion region = pipe.createRegion(64 * PAGE);
             Arena arena = Arena.ofConfined()) {
            long phys = region.physicalAddress();
            byte[] data = new byte[100_000];
            new SplittableRandom(8).nextBytes(data);
            MemorySegment source = arena.allocate(data.length);
            MemorySegment.copy(data, 0, source, JAVA_BYTE, 0, data.length);
            region.write(1000, source, 500, 60_000);
            assertEquals(HostChecksums.local(data, 500, 60_000), HostChecksums.crc(pipe, phys, 1000, 60_000));
            MemorySegment back = arena.allocate(data.length);
            region.read(1000, back, 7, 60_000);
            assertEquals(-1, back.asSlice(7, 60_000).mismatch(source.asSlice(500, 60_000)));
            assertThrows(IndexOutOfBoundsException.class, () -> region.write(0, source, 99_999, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> region.read(0, back, -1, 1));

            // A heap buffer that is a slice of a larger array: its array offset counts.
            ByteBuffer slice = ByteBuffer.wrap(data).position(300).slice().limit(40_000);
            region.write(200_000, slice);
            assertEquals(HostChecksums.local(data, 300, 40_000), HostChecksums.crc(pipe, phys, 200_000, 40_000));
            ByteBuffer into = ByteBuffer.wrap(new byte[50_000]).position(10).slice().limit(40_000);
            region.read(200_000, into);
            assertEquals(-1, ByteBuffer.wrap(into.array(), 10, 40_000).mismatch(ByteBuffer.wrap(data, 300, 40_000)));
            ByteBuffer readOnly = ByteBuffer.wrap(data, 0, 4096).asReadOnlyBuffer();
            region.write(0, readOnly);
            assertEquals(HostChecksums.local(data, 0, 4096), HostChecksums.crc(pipe, phys, 0, 4096));
        }
    }

    /**
     * Every copy form at lengths on both sides of each of {@link BulkCopy}'s thresholds, so that both primitives
     * (the JDK's copy and, between native segments, the C library's) move every form that may take them: the
     * host checks what was written, the guest what was read back.
     */
    @Test
    void everyFormCopiesExactlyWithEitherPrimitive() throws Exception {
        long size = 4L << 20;
        int[] lengths = {1, 4096, (int) BulkCopy.LIBC_FROM - 1, (int) BulkCopy.LIBC_FROM, 65536 + 3,
                (int) BulkCopy.LIBC_BELOW - 1, (int) BulkCopy.LIBC_BELOW, (2 << 20) + 5};
        SplittableRandom random = new SplittableRandom(16);
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
             DmaRegion region = pipe.createRegion(size);
             Arena arena = Arena.ofConfined()) {
            long phys = region.physicalAddress();
            for (int length : lengths) {
                byte[] data = new byte[length + 11];
                random.nextBytes(data);
                long at = random.nextLong(size - length);
                String what = length + " bytes at " + at
                        + (BulkCopy.viaLibc(length) ? " (C library between native segments)" : " (JDK)");

                region.write(at, data, 11, length);
                assertEquals(HostChecksums.local(data, 11, length), HostChecksums.crc(pipe, phys, at, length), what);
                byte[] back = new byte[length + 3];
                region.read(at, back, 3, length);
                assertEquals(-1, java.util.Arrays.mismatch(back, 3, length + 3, data, 11, length + 11), what);

                random.nextBytes(data);
                MemorySegment native_ = arena.allocate(length + 11);
                MemorySegment.copy(data, 0, native_, JAVA_BYTE, 0, length + 11);
                region.write(at, native_, 11, length);
                assertEquals(HostChecksums.local(data, 11, length), HostChecksums.crc(pipe, phys, at, length), what);
                MemorySegment nativeBack = arena.allocate(length);
                region.read(at, nativeBack);
                assertEquals(-1, nativeBack.mismatch(native_.asSlice(11, length)), what);

                random.nextBytes(data);
                MemorySegment heap = MemorySegment.ofArray(data);
                region.write(at, heap.asSlice(11, length));
                assertEquals(HostChecksums.local(data, 11, length), HostChecksums.crc(pipe, phys, at, length), what);
                long[] longs = new long[length / 8 + 1];
                MemorySegment heapBack = MemorySegment.ofArray(longs);
                region.read(at, heapBack, 8, length & ~7);
                assertEquals(-1, heapBack.asSlice(8, length & ~7).mismatch(heap.asSlice(11, length & ~7)), what);

                random.nextBytes(data);
                ByteBuffer direct = ByteBuffer.allocateDirect(length + 11).put(data).flip().position(11);
                region.write(at, direct);
                assertFalse(direct.hasRemaining(), what);
                assertEquals(HostChecksums.local(data, 11, length), HostChecksums.crc(pipe, phys, at, length), what);
                ByteBuffer directBack = ByteBuffer.allocateDirect(length + 2).position(2);
                region.read(at, directBack);
                assertFalse(directBack.hasRemaining(), what);
                assertEquals(-1, directBack.position(2).mismatch(ByteBuffer.wrap(data, 11, length)), what);
            }
        }
    }

    @Test
    void copiesWithinTheRegionMayOverlap() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
             DmaRegion region = pipe.createRegion(1 << 20)) {
            byte[] data = new byte[1 << 20];
            new SplittableRandom(5).nextBytes(data);
            for (int length : new int[] {4096, 100_000}) {
                region.write(0, data, 0, data.length);
                // Forwards and backwards by a few bytes, through the region's own segment.
                region.write(7, region.segment(), 0, length);
                region.write(0, region.segment(), 7 + 3, length);
                byte[] expected = data.clone();
                System.arraycopy(expected, 0, expected, 7, length);
                System.arraycopy(expected, 10, expected, 0, length);
                byte[] back = new byte[data.length];
                region.read(0, back, 0, back.length);
                assertArrayEquals(expected, back, length + " bytes" + (BulkCopy.viaLibc(length) ? " (C library)" : ""));
            }
        }
    }

    @Test
    void copyErrorsAreTheSameWithEitherPrimitive() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
             DmaRegion region = pipe.createRegion(1 << 20)) {
            for (int length : new int[] {4096, 65536}) {
                MemorySegment readOnly = MemorySegment.ofArray(new byte[length]).asReadOnly();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> region.read(0, readOnly));
                assertEquals("Attempt to write a read-only segment", e.getMessage());
                region.write(0, readOnly);

                Arena confined = Arena.ofConfined();
                MemorySegment elsewhere = confined.allocate(length);
                ExecutionException wrongThread = assertThrows(ExecutionException.class,
                        () -> CompletableFuture.runAsync(() -> region.write(0, elsewhere)).get());
                assertInstanceOf(WrongThreadException.class, wrongThread.getCause());
                confined.close();
                assertThrows(IllegalStateException.class, () -> region.write(0, elsewhere));
                assertThrows(IllegalStateException.class, () -> region.read(0, elsewhere));
            }
        }
    }

    @Test
    void aHostFillArrivesInTheSegment() throws Exception {
        long size = 4L << 20;
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
             DmaRegion region = pipe.createRegion(size);
             Arena arena = Arena.ofConfined()) {
            region.segment().fill((byte) 0);
            long offset = 3 * PAGE + 17;
            long length = (1 << 20) + 5;
            long hostCrc = HostChecksums.fill(pipe, 99, region.physicalAddress(), offset, length);
            MemorySegment expected = arena.allocate(length);
            DmaServiceProtocol.fillPattern(expected, 99, 0);
            assertEquals(HostChecksums.local(expected), hostCrc);
            assertEquals(-1, region.segment().asSlice(offset, length).mismatch(expected),
                    "the guest sees the host's bytes");
            assertEquals(0, region.segment().get(JAVA_BYTE, offset - 1), "bytes before the range untouched");
            assertEquals(0, region.segment().get(JAVA_BYTE, offset + length), "bytes after the range untouched");
        }
    }

    @Test
    void outOfBoundsAccessThrowsIndexOutOfBounds() throws Exception {
        long size = 2 * PAGE;
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
             DmaRegion region = pipe.createRegion(size)) {
            byte[] b = new byte[16];
            assertThrows(IndexOutOfBoundsException.class, () -> region.write(size - 8, b, 0, 16));
            assertThrows(IndexOutOfBoundsException.class, () -> region.write(-1, b, 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> region.write(Long.MAX_VALUE, b, 0, 16));
            assertThrows(IndexOutOfBoundsException.class, () -> region.write(0, b, 8, 9));
            assertThrows(IndexOutOfBoundsException.class, () -> region.write(0, b, -1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> region.write(0, b, 0, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> region.read(size, b, 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> region.read(Long.MIN_VALUE, b, 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> region.write(1, ByteBuffer.allocate((int) size)));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> region.write(0, MemorySegment.ofArray(new byte[(int) size + 1])));
            assertThrows(IndexOutOfBoundsException.class, () -> region.segment().get(JAVA_LONG, size - 4));
            region.write(size - 16, b, 0, 16);
        }
    }

    @Test
    void nullArgumentsAreNullPointerExceptions() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
             DmaRegion region = pipe.createRegion(PAGE)) {
            assertThrows(NullPointerException.class, () -> region.write(0, (byte[]) null, 0, 0));
            assertThrows(NullPointerException.class, () -> region.write(0, (MemorySegment) null));
            assertThrows(NullPointerException.class, () -> region.write(0, (ByteBuffer) null));
            assertThrows(NullPointerException.class, () -> region.read(0, (byte[]) null, 0, 0));
            assertThrows(NullPointerException.class, () -> region.read(0, (MemorySegment) null));
            assertThrows(NullPointerException.class, () -> region.read(0, (ByteBuffer) null));
            assertThrows(NullPointerException.class, () -> pipe.write((byte[]) null, 0, 0));
            assertThrows(NullPointerException.class, () -> pipe.read((MemorySegment) null));
            assertThrows(NullPointerException.class, () -> region.stagingAllocator().offsetOf(null));
            assertThrows(NullPointerException.class, () -> RegionManager.builder(null));
            assertThrows(NullPointerException.class, () -> RegionManager.builder(DEVICE.path()).service(null));
            region.write(0, new byte[] {1}, 0, 1);
            assertTrue(region.isOpen(), "refused arguments leave the region usable");
        }
    }

    @Test
    void useAfterCloseThrowsIllegalStateAndCloseIsIdempotent() throws Exception {
        GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
        DmaRegion region = pipe.createRegion(PAGE);
        MemorySegment segment = region.segment();
        segment.set(JAVA_LONG, 0, 7);
        region.close();
        region.close();
        assertFalse(region.isOpen());
        assertThrows(IllegalStateException.class, () -> segment.get(JAVA_LONG, 0));
        assertThrows(IllegalStateException.class, () -> region.write(0, new byte[1], 0, 1));
        assertThrows(IllegalStateException.class, region::physicalAddress);
        assertThrows(IllegalStateException.class, region::lock);
        assertThrows(IllegalStateException.class, region::stagingAllocator);
        pipe.close();
        pipe.close();
    }

    @Test
    void closingThePipeClosesItsRegion() throws Exception {
        GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
        DmaRegion region = pipe.createRegion(PAGE);
        pipe.close();
        assertFalse(region.isOpen());
        assertThrows(IllegalStateException.class, () -> region.segment().get(JAVA_BYTE, 0));
    }

    @Test
    void aSecondRegionOnOnePipeIsEbusyAndRegionInfoFollowsTheDriver() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA)) {
            assertEquals(new RegionInfo(0, 0), pipe.regionInfo());
            try (DmaRegion region = pipe.createRegion(8 * PAGE)) {
                RegionAlreadyExistsException e = assertThrows(RegionAlreadyExistsException.class,
                        () -> pipe.createRegion(PAGE));
                assertEquals("EBUSY", e.errnoName());
                assertTrue(e.getMessage().contains("one per open pipe"), e.getMessage());
                long phys = region.physicalAddress();
                assertEquals(new RegionInfo(phys, 8 * PAGE), pipe.regionInfo());
                assertEquals(new RegionInfo(phys, 8 * PAGE), region.info());
                assertEquals(phys, region.physicalAddress());
            }
        }
    }

    @Test
    void theLockIsAReusableReentrantGuardOwnedByItsThread() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
             DmaRegion region = pipe.createRegion(PAGE)) {
            RegionLock first;
            try (RegionLock held = region.lock()) {
                first = held;
                try (RegionLock again = region.lock()) {
                    assertSame(held, again);
                }
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> CompletableFuture.runAsync(() -> {
                            try {
                                held.close();
                            } catch (java.io.IOException x) {
                                throw new java.io.UncheckedIOException(x);
                            }
                        }).get());
                assertInstanceOf(IllegalMonitorStateException.class, e.getCause());
            }
            try (RegionLock held = region.lock()) {
                assertSame(first, held);
                assertSame(region, held.region());
            }
            assertThrows(IllegalMonitorStateException.class, first::close);
        }
    }

    @Test
    void prefaultedRegionsAreResidentAtOnceAndWorkAlike() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
             DmaRegion region = pipe.createRegion(1 << 20, RegionOption.PREFAULT)) {
            assertEquals(1 << 20, residentBytes(region.segment()), "every page faulted in at creation");
            byte[] data = new byte[1 << 20];
            new SplittableRandom(3).nextBytes(data);
            region.write(0, data, 0, data.length);
            assertEquals(HostChecksums.local(data, 0, data.length),
                    HostChecksums.crc(pipe, region.physicalAddress(), 0, data.length));
        }
    }

    /** The resident bytes of the mapping that starts at {@code mapping}'s address, from /proc/self/smaps. */
    private static long residentBytes(MemorySegment mapping) throws IOException {
        String start = Long.toHexString(mapping.address()) + "-";
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inside = line.startsWith(start);
            } else if (inside && line.startsWith("Rss:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new AssertionError("no mapping at 0x" + start + " in /proc/self/smaps");
    }

    @Test
    void stagedSlicesAreFoundByTheHostAtTheirPhysicalAddresses() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DMA);
             DmaRegion region = pipe.createRegion(16 * PAGE)) {
            StagingAllocator staging = region.stagingAllocator();
            MemorySegment header = staging.allocate(24, 8);
            MemorySegment payload = staging.allocate(5000, 64);
            assertEquals(0, staging.offsetOf(header));
            assertEquals(64, staging.offsetOf(payload));
            assertEquals(64 + 5000, staging.used());
            header.fill((byte) 1);
            payload.fill((byte) 2);
            long phys = region.physicalAddress();
            assertEquals(phys + 64, staging.physicalAddressOf(payload));
            assertEquals(HostChecksums.local(payload), HostChecksums.crc(pipe, phys, staging.offsetOf(payload), 5000));
            assertThrows(IndexOutOfBoundsException.class, () -> staging.allocate(16 * PAGE, 1));
            assertThrows(IllegalArgumentException.class, () -> staging.allocate(8, 3));
            staging.reset();
            assertEquals(0, staging.offsetOf(staging.allocate(8, 8)));
        }
    }
}
