package dev.goldfishdma.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tool's exit codes, stable for scripts: the one table that {@code --help} prints, every command alike,
 * and that the README repeats (a test holds the three together).
 */
enum ExitCode {
    /** Done, and what was checked held. */
    OK(0, "success: done, and every check held"),
    /** A call failed or a check did not hold. */
    FAILURE(1, "a call failed or a check did not hold (e.g. a checksum differed)"),
    /** The command line was wrong; nothing was started. */
    USAGE(2, "bad command line or argument; nothing was started"),
    /** No device at the given path, nor at any known path, and no emulated one can be mounted. */
    NO_DEVICE(3, "no device at the path given, nor at any known device path, and FUSE cannot be mounted here "
            + "for an emulated one (the message says what is missing)"),
    /** The path is something else than a goldfish pipe with DMA; it was not written to. */
    NOT_A_GOLDFISH_PIPE(4, "not a goldfish pipe with DMA (a regular file, a directory, a FIFO, a device "
            + "without DMA...); it was left untouched"),
    /** Stopped by SIGINT (Ctrl-C): 128 + 2, as shells report it. */
    INTERRUPTED(130, "interrupted (Ctrl-C, SIGINT); an emulated device started for the run is removed"),
    /** Stopped by SIGTERM: 128 + 15. */
    TERMINATED(143, "terminated (SIGTERM); an emulated device started for the run is removed");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** The number the process exits with. */
    int code() {
        return code;
    }

    /** What it means, for {@code --help} and the README. */
    String meaning() {
        return meaning;
    }

    /** Code to meaning, in order, as picocli's exit code list takes it. */
    static Map<String, String> helpList() {
        Map<String, String> list = new LinkedHashMap<>();
        for (ExitCode c : values()) {
            list.put(String.valueOf(c.code), c.meaning);
        }
        return list;
    }
}
