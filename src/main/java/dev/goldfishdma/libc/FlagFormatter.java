package dev.goldfishdma.libc;

/**
 * Formats bit sets as flag names joined by {@code |}, such as {@code PROT_READ|PROT_WRITE}, for error messages.
 */
final class FlagFormatter {
    private FlagFormatter() {
    }

    /** Appends {@code name} when {@code bit} is set in {@code rest}; returns {@code rest} without it. */
    static int append(StringBuilder sb, int rest, int bit, String name) {
        if (bit != 0 && (rest & bit) == bit) {
            if (!sb.isEmpty()) {
                sb.append('|');
            }
            sb.append(name);
            return rest & ~bit;
        }
        return rest;
    }

    /** Appends what no name covered, in hex, and returns the text ({@code "0"} for no bits at all). */
    static String finish(StringBuilder sb, int rest) {
        if (rest != 0) {
            if (!sb.isEmpty()) {
                sb.append('|');
            }
            sb.append("0x").append(Integer.toHexString(rest));
        }
        return sb.isEmpty() ? "0" : sb.toString();
    }
}
