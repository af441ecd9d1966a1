package dev.goldfishdma.device;

import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
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
        long page = Libc.PAGE_SIZE;
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
        long page = Libc.PAGE_SIZE;
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
    void aMissingDeviceIsEnoentNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("goldfish_pipe");
        ErrnoException e = assertThrows(ErrnoException.class, () -> GoldfishPipe.open(missing, "echo"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void devNullIsReportedAsNotAGoldfishPipe() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEV_NULL, "echo")) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> pipe.createRegion(Libc.PAGE_SIZE));
            assertEquals(Errno.ENOTTY, e.errno());
            assertTrue(e.getMessage().contains("/dev/null is not a goldfish pipe"), e.getMessage());
            assertTrue(e.getMessage().contains("GOLDFISH_DMA_IOC_CREATE_REGION"), e.getMessage());
            assertTrue(e.getMessage().contains("ENOTTY (25)"), e.getMessage());
            assertEquals(Errno.ENOTTY, assertThrows(ErrnoException.class, pipe::regionInfo).errno());
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
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> pipe.createRegion(Libc.PAGE_SIZE));
    }

    @Test
    void noDeviceExceptionListsEveryPathTried() {
        NoDeviceException e = new NoDeviceException(DevicePaths.KNOWN);
        for (Path p : DevicePaths.KNOWN) {
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        }
        assertEquals(DevicePaths.KNOWN, e.tried());
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
