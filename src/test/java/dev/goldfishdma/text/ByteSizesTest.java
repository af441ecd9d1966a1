package dev.goldfishdma.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteSizesTest {
    @Test
    void readsBytesAndBinaryUnitsInAnyCase() {
        assertEquals(4096, ByteSizes.parse("4096"));
        assertEquals(4096, ByteSizes.parse("4096b"));
        assertEquals(64 << 10, ByteSizes.parse("64KiB"));
        assertEquals(32L << 20, ByteSizes.parse(" 32 mib "));
        assertEquals(3L << 30, ByteSizes.parse("3GIB"));
    }

    @Test
    void formatReadsBackAsTheSameCount() {
        for (long bytes : new long[]{0, 1, 4095, 4096, 65536, 1L << 20, 3L << 30, (1L << 30) + 1024}) {
            assertEquals(bytes, ByteSizes.parse(ByteSizes.format(bytes)), ByteSizes.format(bytes));
        }
        assertEquals("64KiB", ByteSizes.format(64 << 10));
        assertEquals("2GiB", ByteSizes.format(2L << 30));
    }

    @Test
    void refusesWhatIsNotASizeQuotingIt() {
        for (String bad : new String[]{"", "-1", "1.5MiB", "12 MB", "lots"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse(bad));
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("9999999999999999999GiB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("8589934592GiB"));
    }
}
