package dev.goldfishdma.libc;

import dev.goldfishdma.gen.libc.LibcConstants;

/** {@code open(2)} flags, from the generated bindings, and their readable form for error messages. */
public final class OpenFlags {
    /** Open for reading only. */
    public static final int O_RDONLY = LibcConstants.O_RDONLY();
    /** Open for writing only. */
    public static final int O_WRONLY = LibcConstants.O_WRONLY();
    /** Open for reading and writing. */
    public static final int O_RDWR = LibcConstants.O_RDWR();
    /** Non-blocking I/O: calls that would wait fail with {@code EAGAIN}. */
    public static final int O_NONBLOCK = LibcConstants.O_NONBLOCK();
    /** Close on exec. */
    public static final int O_CLOEXEC = LibcConstants.O_CLOEXEC();
    /** Create the file if missing. */
    public static final int O_CREAT = LibcConstants.O_CREAT();
    /** Truncate on open. */
    public static final int O_TRUNC = LibcConstants.O_TRUNC();
    /** Fail unless the path is a directory. */
    public static final int O_DIRECTORY = LibcConstants.O_DIRECTORY();

    private OpenFlags() {
    }

    /** E.g. {@code O_RDWR|O_NONBLOCK|O_CLOEXEC}; unknown bits are shown in hex. */
    public static String describe(int flags) {
        int access = flags & LibcConstants.O_ACCMODE();
        StringBuilder sb = new StringBuilder(access == O_RDONLY ? "O_RDONLY" : access == O_WRONLY ? "O_WRONLY"
                : access == O_RDWR ? "O_RDWR" : "O_ACCMODE=" + access);
        int rest = flags & ~LibcConstants.O_ACCMODE();
        rest = FlagFormatter.append(sb, rest, O_NONBLOCK, "O_NONBLOCK");
        rest = FlagFormatter.append(sb, rest, O_CLOEXEC, "O_CLOEXEC");
        rest = FlagFormatter.append(sb, rest, O_CREAT, "O_CREAT");
        rest = FlagFormatter.append(sb, rest, O_TRUNC, "O_TRUNC");
        rest = FlagFormatter.append(sb, rest, O_DIRECTORY, "O_DIRECTORY");
        return FlagFormatter.finish(sb, rest);
    }
}
