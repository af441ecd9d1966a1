package dev.goldfishdma.cli;

import picocli.CommandLine;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them: a byte count ({@code 4096}) or a whole number of KiB, MiB or GiB
 * ({@code 64KiB}, {@code 32MiB}, {@code 1GiB}; the unit's case does not matter). Used by every option
 * that takes a size.
 */
final class ByteSizes implements CommandLine.ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|kib|mib|gib)");

    /** The number of bytes {@code text} stands for. */
    static long parse(String text) {
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

    @Override
    public Long convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
