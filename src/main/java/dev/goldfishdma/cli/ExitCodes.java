package dev.goldfishdma.cli;

/** The tool's exit codes, stable for scripts. */
final class ExitCodes {
    /** Done, and what was checked was right. */
    static final int OK = 0;
    /** A call failed or a check did not hold (e.g. a checksum mismatch). */
    static final int FAILURE = 1;
    /** The command line was wrong. */
    static final int USAGE = 2;
    /** No device at the given path, or at any known path, and no emulated one can be mounted. */
    static final int NO_DEVICE = 3;
    /** The path exists but is not a goldfish pipe with DMA. */
    static final int NOT_A_GOLDFISH_PIPE = 4;

    private ExitCodes() {
    }
}
