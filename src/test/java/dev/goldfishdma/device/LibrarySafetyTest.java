package dev.goldfishdma.device;

import dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension;
import dev.goldfishdma.service.DmaServiceProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device API never loses or damages data on bad input: read-only destinations are refused before the
 * pipe is touched, any duration and any segment are taken or refused cleanly, and a region its borrower closed
 * is never lent again.
 */
class LibrarySafetyTest {
    @RegisterExtension
    static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();

    private static final byte[] HELLO = {'h', 'e', 'l', 'l', 'o'};

    /** An echo pipe with {@link #HELLO} waiting to be read. */
    private static GoldfishPipe echoWithDataWaiting() throws Exception {
        GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), "echo", PipeOption.NON_BLOCKING);
        pipe.write(HELLO, 0, HELLO.length);
        assertTrue(pipe.poll(Set.of(PipeEvent.READABLE), Duration.ofSeconds(10)).contains(PipeEvent.READABLE));
        return pipe;
    }

    /** Reads what is waiting, giving the echo service a few seconds. */
    private static byte[] readWaiting(GoldfishPipe pipe) throws Exception {
        assertTrue(pipe.poll(Set.of(PipeEvent.READABLE), Duration.ofSeconds(5)).contains(PipeEvent.READABLE),
                "the bytes are still there to read");
        byte[] got = new byte[HELLO.length];
        assertEquals(HELLO.length, pipe.read(got, 0, got.length));
        return got;
    }

    @Test
    void aReadOnlyHeapBufferIsRefusedAndNothingIsConsumed() throws Exception {
        try (GoldfishPipe pipe = echoWithDataWaiting()) {
            ByteBuffer readOnly = ByteBuffer.allocate(HELLO.length).asReadOnlyBuffer();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipe.read(readOnly));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            assertArrayEquals(HELLO, readWaiting(pipe));
        }
    }

    @Test
    void aReadOnlyDirectBufferIsRefusedAndNotWrittenInto() throws Exception {
        try (GoldfishPipe pipe = echoWithDataWaiting()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(HELLO.length);
            ByteBuffer readOnly = direct.asReadOnlyBuffer();
            assertThrows(IllegalArgumentException.class, () -> pipe.read(readOnly));
            assertArrayEquals(new byte[HELLO.length], bytes(direct), "the read-only buffer's memory is unchanged");
            assertArrayEquals(HELLO, readWaiting(pipe));
        }
    }

    @Test
    void aReadOnlySegmentIsRefusedAndNotWrittenInto() throws Exception {
        try (GoldfishPipe pipe = echoWithDataWaiting(); Arena arena = Arena.ofConfined()) {
            MemorySegment target = arena.allocate(HELLO.length);
            assertThrows(IllegalArgumentException.class, () -> pipe.read(target.asReadOnly()));
            assertThrows(IllegalArgumentException.class,
                    () -> pipe.read(MemorySegment.ofArray(new byte[HELLO.length]).asReadOnly()));
            assertArrayEquals(new byte[HELLO.length], target.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertArrayEquals(HELLO, readWaiting(pipe));
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.capacity()];
        buffer.duplicate().clear().get(b);
        return b;
    }

    @Test
    void anyPollDurationIsTaken() throws Exception {
        try (GoldfishPipe pipe = echoWithDataWaiting()) {
            assertTrue(pipe.poll(Set.of(PipeEvent.READABLE), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))
                    .contains(PipeEvent.READABLE));
            assertTrue(pipe.poll(Set.of(PipeEvent.READABLE), Duration.ofSeconds(Long.MIN_VALUE))
                    .contains(PipeEvent.READABLE));
        }
        assertEquals(Integer.MAX_VALUE, GoldfishPipe.pollMillis(Duration.ofDays(100_000)));
        assertEquals(1, GoldfishPipe.pollMillis(Duration.ofNanos(1)), "a short wait still waits");
        assertEquals(0, GoldfishPipe.pollMillis(Duration.ofMillis(-5)));
    }

    @Test
    void anyAcquireTimeoutIsTaken() throws Exception {
        try (RegionManager regions = RegionManager.builder(DEVICE.path()).service(DmaServiceProtocol.SERVICE_NAME)
                .acquireTimeout(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)).build();
             RegionLease lease = regions.acquire(1)) {
            assertTrue(lease.region().isOpen());
        }
    }

    @Test
    void offsetsThatWouldOverflowAreRefused() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), DmaServiceProtocol.SERVICE_NAME);
             DmaRegion region = pipe.createRegion(DriverRules.pageSize())) {
            StagingAllocator staging = region.stagingAllocator();
            MemorySegment slice = staging.allocate(64, 8);
            assertEquals(0, staging.offsetOf(slice));
            MemorySegment huge = MemorySegment.ofAddress(region.segment().address() + 8).reinterpret(Long.MAX_VALUE);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> staging.offsetOf(huge));
            assertTrue(e.getMessage().contains("is not part of this region"), e.getMessage());
            MemorySegment past = MemorySegment.ofAddress(region.segment().address() + region.size()).reinterpret(1);
            assertThrows(IllegalArgumentException.class, () -> staging.offsetOf(past));
            assertThrows(IllegalArgumentException.class,
                    () -> staging.offsetOf(MemorySegment.ofArray(new byte[16])));
        }
    }

    @Test
    void aRegionItsBorrowerClosedIsNeverLentAgain() throws Exception {
        try (RegionManager regions = RegionManager.builder(DEVICE.path()).service(DmaServiceProtocol.SERVICE_NAME)
                .maxTotalBytes(1 << 20).build()) {
            DmaRegion first;
            try (RegionLease lease = regions.acquire(1)) {
                first = lease.region();
            }
            first.close();   // the borrower kept a reference and closed it after giving the lease back
            try (RegionLease again = regions.acquire(1)) {
                assertNotSame(first, again.region());
                assertTrue(again.region().isOpen(), "the region lent is open");
                again.region().write(0, HELLO, 0, HELLO.length);
                assertEquals(DriverRules.pageSize(), regions.totalBytes(), "the closed region is not counted");
            }
            DmaRegion second;
            try (RegionLease lease = regions.acquire(1)) {
                second = lease.region();
            }
            second.pipe().close();   // closing its pipe closes it too
            try (RegionLease again = regions.acquire(1)) {
                assertTrue(again.region().isOpen());
                assertNotSame(second, again.region());
            }
        }
    }

    @Test
    void anUnknownServiceIsNamedAsSuch() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), "nothing-here")) {
            PipeClosedByHostException e = assertThrows(PipeClosedByHostException.class,
                    () -> pipe.write(HELLO, 0, HELLO.length));
            assertTrue(e.getMessage().contains("the host has no service named \"nothing-here\""), e.getMessage());
            assertTrue(e.getMessage().startsWith("write("), e.getMessage());
            assertTrue(e.getMessage().contains("EIO (5)"), e.getMessage());
        }
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), "echo")) {
            pipe.write(HELLO, 0, HELLO.length);
            pipe.readFully(new byte[HELLO.length]);
            assertEquals(HELLO.length, pipe.write(HELLO, 0, HELLO.length), "a known service is no such case");
        }
    }

    @Test
    void theServiceNameRuleIsCheckedWhenTheManagerIsBuilt() {
        RegionManager.Builder builder = RegionManager.builder(DEVICE.path());
        assertThrows(IllegalArgumentException.class, () -> builder.service(""));
        assertThrows(IllegalArgumentException.class, () -> builder.service("a\0b"));
        assertThrows(IllegalArgumentException.class,
                () -> builder.service("s".repeat(DriverRules.MAX_SERVICE_NAME_BYTES + 1)));
    }
}
