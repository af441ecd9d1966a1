package dev.goldfishdma.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Input the device API refuses, and devices that are not goldfish pipes; no emulator needed. */
class DeviceInputTest {
    private static final Path DEV_NULL = Path.of("/dev/null");

    @Test
    void regionSizesOutsideTheDriversRuleAreRefusedBeforeAnyCall() {
        long page = DriverRules.pageSize();
        for (long size : new long[] {0, 1, page - 1, page + 1, -page, -1, DriverRules.MAX_REGION_SIZE + page,
                Long.MAX_VALUE, Long.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DriverRules.checkRegionSize(size),
                    "size " + size);
            assertTrue(e.getMessage().contains("region size " + size + " is not allowed"), e.getMessage());
            assertTrue(e.getMessage().contains("multiple of the page size (" + page + ")"), e.getMessage());
        }
        DriverRules.checkRegionSize(page);
        DriverRules.checkRegionSize(DriverRules.MAX_REGION_SIZE);
    }

    @Test
    void roundUpGivesWholePages() {
        long page = DriverRules.pageSize();
        assertEquals(page, DriverRules.regionSizeFor(1));
        assertEquals(page, DriverRules.regionSizeFor(page));
        assertEquals(2 * page, DriverRules.regionSizeFor(page + 1));
        assertEquals(DriverRules.MAX_REGION_SIZE, DriverRules.regionSizeFor(DriverRules.MAX_REGION_SIZE));
        assertThrows(IllegalArgumentException.class, () -> DriverRules.regionSizeFor(0));
        assertThrows(IllegalArgumentException.class, () -> DriverRules.regionSizeFor(DriverRules.MAX_REGION_SIZE + 1));
    }

    @Test
    void badServiceNamesAreRefusedBeforeOpening() {
        assertThrows(NullPointerException.class, () -> GoldfishPipe.open(DEV_NULL, null));
        assertThrows(NullPointerException.class, () -> GoldfishPipe.open(null, "echo"));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> GoldfishPipe.open(DEV_NULL, ""));
        assertEquals("service name is empty", empty.getMessage());
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> GoldfishPipe.open(DEV_NULL, "ec\0ho"));
        assertTrue(nul.getMessage().contains("NUL"), nul.getMessage());
        String longest = "s".repeat(DriverRules.MAX_SERVICE_NAME_BYTES);
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> GoldfishPipe.open(DEV_NULL, longest + "s"));
        assertTrue(tooLong.getMessage().contains("at most " + DriverRules.MAX_SERVICE_NAME_BYTES), tooLong.getMessage());
        IllegalArgumentException multiByte = assertThrows(IllegalArgumentException.class,
                () -> GoldfishPipe.open(DEV_NULL, "é".repeat(DriverRules.MAX_SERVICE_NAME_BYTES / 2 + 1)));
        assertTrue(multiByte.getMessage().contains("bytes long"), multiByte.getMessage());
    }

    @Test
    void aMissingDeviceIsNoDeviceNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("goldfish_pipe");
        NoDeviceException e = assertThrows(NoDeviceException.class, () -> GoldfishPipe.open(missing, "echo"));
        assertEquals(missing, e.path());
        assertEquals("open", e.call());
        assertEquals(missing.toString(), e.target());
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.getMessage().contains(missing + " does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("ENOENT (" + e.errno() + "): No such file or directory"), e.getMessage());
    }

    @Test
    void devNullIsReportedAsNotAGoldfishPipe() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEV_NULL, "echo")) {
            NotAGoldfishPipeException e = assertThrows(NotAGoldfishPipeException.class,
                    () -> pipe.createRegion(DriverRules.pageSize()));
            assertEquals("ioctl", e.call());
            assertEquals("ENOTTY", e.errnoName());
            assertEquals(25, e.errno());
            assertTrue(e.target().contains("/dev/null") && e.target().contains("service echo"), e.target());
            assertTrue(e.arguments().contains("GOLDFISH_DMA_IOC_CREATE_REGION = 0xc0104703"), e.arguments());
            assertTrue(e.getMessage().contains("/dev/null is not a goldfish pipe"), e.getMessage());
            assertTrue(e.getMessage().contains("GOLDFISH_DMA_IOC_CREATE_REGION"), e.getMessage());
            assertTrue(e.getMessage().contains("ENOTTY (25)"), e.getMessage());
            assertThrows(NotAGoldfishPipeException.class, pipe::regionInfo);
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIsRefused() throws Exception {
        GoldfishPipe pipe = GoldfishPipe.open(DEV_NULL, "echo");
        assertTrue(pipe.isOpen());
        pipe.close();
        pipe.close();
        assertFalse(pipe.isOpen());
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> pipe.write(new byte[1], 0, 1));
        assertThrows(java.nio.channels.ClosedChannelException.class, pipe::regionInfo);
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> pipe.createRegion(DriverRules.pageSize()));
    }

    @Test
    void byteRangesAreChecked() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEV_NULL, "echo")) {
            byte[] b = new byte[4];
            assertThrows(IndexOutOfBoundsException.class, () -> pipe.write(b, 3, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> pipe.write(b, -1, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> pipe.read(b, 0, 5));
            assertThrows(IndexOutOfBoundsException.class, () -> pipe.read(b, Integer.MAX_VALUE, 2));
            assertEquals(4, pipe.write(b, 0, 4));
            assertEquals(-1, pipe.read(b, 0, 4), "/dev/null reads end of stream");
        }
    }
}
