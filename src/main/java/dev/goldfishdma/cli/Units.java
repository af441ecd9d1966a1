package dev.goldfishdma.cli;

import java.util.Locale;

/** Byte counts and rates for people. */
final class Units {
    private Units() {
    }

    static String bytes(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1L << 10 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }

    /** Decimal GB/s or MB/s, as throughput is usually quoted. */
    static String rate(long bytes, long nanos) {
        double perSecond = bytes * 1e9 / Math.max(1, nanos);
        return perSecond >= 1e9 ? String.format(Locale.ROOT, "%.2f GB/s", perSecond / 1e9)
                : String.format(Locale.ROOT, "%.1f MB/s", perSecond / 1e6);
    }
}
