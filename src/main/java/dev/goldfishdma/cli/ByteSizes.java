package dev.goldfishdma.cli;

import picocli.CommandLine;

/**
 * Converts every command-line option that takes a size, with the project's one size parser
 * ({@link dev.goldfishdma.text.ByteSizes}).
 */
final class ByteSizes implements CommandLine.ITypeConverter<Long> {
    /** The number of bytes {@code text} stands for (see {@link dev.goldfishdma.text.ByteSizes#parse(String)}). */
    static long parse(String text) {
        return dev.goldfishdma.text.ByteSizes.parse(text);
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
