package dev.goldfishdma.libc;

import dev.goldfishdma.gen.libc.LibcConstants;

/**
 * {@code open(2)} flags, from the generated bindings, and their readable form for error messages.
 *
 * <p>Most flags have the same value on every architecture the project supports. {@link #O_DIRECTORY} and
 * {@link #O_NOFOLLOW} do not (x86_64 and aarch64 differ): they come from the binding generated for the
 * architecture the JVM runs on ({@code os.arch}).
 */
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
    /** Do not make a terminal opened this way the process's controlling terminal. */
    public static final int O_NOCTTY = LibcConstants.O_NOCTTY();
    /** Create the file if missing. */
    public static final int O_CREAT = LibcConstants.O_CREAT();
    /** Truncate on open. */
    public static final int O_TRUNC = LibcConstants.O_TRUNC();
    /** Fail unless the path is a directory ({@code ENOTDIR}); the value depends on the architecture. */
    public static final int O_DIRECTORY;
    /** Fail if the last component of the path is a symbolic link ({@code ELOOP}); depends on the architecture. */
    public static final int O_NOFOLLOW;

    static {
        // Both classes are plain constants, loadable anywhere; only the running architecture's is read.
        switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> {
                O_DIRECTORY = dev.goldfishdma.gen.libc.x86_64.LibcArchConstants.O_DIRECTORY();
                O_NOFOLLOW = dev.goldfishdma.gen.libc.x86_64.LibcArchConstants.O_NOFOLLOW();
            }
            case "aarch64" -> {
                O_DIRECTORY = dev.goldfishdma.gen.libc.aarch64.LibcArchConstants.O_DIRECTORY();
                O_NOFOLLOW = dev.goldfishdma.gen.libc.aarch64.LibcArchConstants.O_NOFOLLOW();
            }
            default -> throw new UnsupportedOperationException("no generated open(2) flags for os.arch="
                    + System.getProperty("os.arch") + ": the project supports x86_64 (amd64) and aarch64");
        }
    }

    private OpenFlags() {
    }

    /** E.g. {@code O_RDWR|O_NONBLOCK|O_CLOEXEC}; unknown bits are shown in hex. */
    public static String describe(int flags) {
        int access = flags & LibcConstants.O_ACCMODE();
        StringBuilder sb = new StringBuilder(access == O_RDONLY ? "O_RDONLY" : access == O_WRONLY ? "O_WRONLY"
                : access == O_RDWR ? "O_RDWR" : "O_ACCMODE=" + access);
        int rest = flags & ~LibcConstants.O_ACCMODE();
        rest = FlagFormatter.append(sb, rest, O_NONBLOCK, "O_NONBLOCK");
        rest = FlagFormatter.append(sb, rest, O_NOCTTY, "O_NOCTTY");
        rest = FlagFormatter.append(sb, rest, O_CLOEXEC, "O_CLOEXEC");
        rest = FlagFormatter.append(sb, rest, O_CREAT, "O_CREAT");
        rest = FlagFormatter.append(sb, rest, O_TRUNC, "O_TRUNC");
        rest = FlagFormatter.append(sb, rest, O_DIRECTORY, "O_DIRECTORY");
        rest = FlagFormatter.append(sb, rest, O_NOFOLLOW, "O_NOFOLLOW");
        return FlagFormatter.finish(sb, rest);
    }
}
