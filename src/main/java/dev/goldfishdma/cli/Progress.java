package dev.goldfishdma.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * One line of progress, rewritten in place, on a terminal: what runs, how far it is, and the time left.
 * Silent when the output is not a terminal, so that piped or captured output stays plain.
 */
final class Progress {
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDrawn;
    private int width;

    private Progress(PrintWriter out, boolean enabled) {
        this.out = out;
        this.enabled = enabled;
    }

    /** Progress on {@code out}, shown only when {@code terminal}. */
    static Progress on(PrintWriter out, boolean terminal) {
        return new Progress(out, terminal);
    }

    boolean enabled() {
        return enabled;
    }

    /**
     * Shows {@code what} with {@code fraction} (0 to 1) of the whole work done, and an estimate of the time
     * left from the time spent so far; at most ten times a second unless {@code force}.
     */
    void show(String what, double fraction, boolean force) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastDrawn < REDRAW_NANOS) {
            return;
        }
        lastDrawn = now;
        double elapsed = (now - start) / 1e9;
        String left = fraction < 0.02 ? "" : ", " + duration(elapsed / fraction - elapsed) + " left";
        String line = String.format(Locale.ROOT, "%s: %3.0f%%%s", what, Math.min(100, fraction * 100), left);
        draw(line);
    }

    /** Shows {@code what} with no fraction known (a stream of unknown length). */
    void show(String what) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDrawn < REDRAW_NANOS) {
            return;
        }
        lastDrawn = now;
        draw(what);
    }

    private void draw(String line) {
        int pad = Math.max(0, width - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        width = line.length();
    }

    /** Clears the line, so that what is printed next starts on a clean one. */
    void clear() {
        if (enabled && width > 0) {
            out.print("\r" + " ".repeat(width) + "\r");
            out.flush();
            width = 0;
        }
    }

    /** "about 5 s", "about 2 min 10 s", "under 1 s". */
    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 1 ? "under 1 s" : "about " + (s < 60 ? s + " s" : s / 60 + " min " + s % 60 + " s");
    }
}
