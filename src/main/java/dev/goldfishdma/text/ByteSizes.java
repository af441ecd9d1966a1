package dev.goldfishdma.text;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them: a byte count ({@code 4096}) or a whole number of KiB, MiB or GiB
 * ({@code 64KiB}, {@code 32MiB}, {@code 1GiB}; the unit's case does not matter). The one parser of every
 * option that takes a size, the command line's and the emulator's.
 */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|kib|mib|gib)");

    private ByteSizes() {
    }

    /**
     * {@return the number of bytes {@code text} stands for}
     *
     * @param text a size, e.g. {@code 4096} or {@code 64KiB}
     * @throws IllegalArgumentException quoting {@code text} when it is not a size or too large for a long
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size: give bytes (4096) or a whole number"
                    + " with KiB, MiB or GiB (64KiB, 32MiB, 1GiB)");
        }
        int shift = switch (m.group(2)) {
            case "kib" -> 10;
            case "mib" -> 20;
            case "gib" -> 30;
            default -> 0;
        };
        long number;
        try {
            number = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            number = Long.MAX_VALUE;
        }
        if (number > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException("\"" + text + "\" is too large a size");
        }
        return number << shift;
    }

    /**
     * {@return {@code bytes} in the largest unit that divides it, as {@link #parse(String)} reads it back:
     * {@code 64KiB}, {@code 1GiB}, {@code 4095}}
     *
     * @param bytes a non-negative byte count
     */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes != 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KiB";
        }
        return Long.toString(bytes);
    }
}
