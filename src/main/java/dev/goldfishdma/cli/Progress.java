package dev.goldfishdma.cli;

import java.io.PrintWriter;

/** A one-line progress bar on a terminal; silent otherwise, so piped output stays plain. */
final class Progress {
    private static final int WIDTH = 40;
    private final PrintWriter out;
    private final long total;
    private final boolean enabled;
    private int shown = -1;

    private Progress(PrintWriter out, long total, boolean enabled) {
        this.out = out;
        this.total = total;
        this.enabled = enabled;
    }

    /** A bar when standard output is a terminal and the transfer is long enough to watch. */
    static Progress forTerminal(PrintWriter out, long total) {
        java.io.Console console = System.console();
        return new Progress(out, total, console != null && console.isTerminal() && total >= 64L << 20);
    }

    void update(long done) {
        if (!enabled) {
            return;
        }
        int filled = (int) (done * WIDTH / total);
        if (filled != shown) {
            shown = filled;
            out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done * 100 / total + "%");
            out.flush();
        }
    }

    void finish() {
        if (enabled && shown >= 0) {
            out.print("\r" + " ".repeat(WIDTH + 8) + "\r");
            out.flush();
        }
    }
}
