package dev.goldfishdma.libc;

import dev.goldfishdma.gen.libc.LibcConstants;

/**
 * {@code mmap(2)} protection and flag bits, and the {@code madvise(2)} and {@code msync(2)} values the project
 * uses, from the generated bindings.
 */
public final class MmapFlags {
    /** Pages may be read. */
    public static final int PROT_READ = LibcConstants.PROT_READ();
    /** Pages may be written. */
    public static final int PROT_WRITE = LibcConstants.PROT_WRITE();
    /** Share the mapping: writes reach the file (the device) and other mappings of it. */
    public static final int MAP_SHARED = LibcConstants.MAP_SHARED();
    /** Private copy-on-write mapping. */
    public static final int MAP_PRIVATE = LibcConstants.MAP_PRIVATE();
    /** Fault every page in at mmap time, so that first writes pay no page fault. */
    public static final int MAP_POPULATE = LibcConstants.MAP_POPULATE();
    /** Memory backed by no file. */
    public static final int MAP_ANONYMOUS = LibcConstants.MAP_ANONYMOUS();

    /**
     * {@code madvise}: drop the range's pages from this mapping; a shared file mapping refetches them from
     * the file (its page cache) on the next touch.
     */
    public static final int MADV_DONTNEED = LibcConstants.MADV_DONTNEED();
    /** {@code madvise} (Linux 5.4): ask the kernel to reclaim the range's pages now. */
    public static final int MADV_PAGEOUT = LibcConstants.MADV_PAGEOUT();
    /**
     * {@code madvise} (Linux 5.14): fault the range in writable, as writes would, and report a page that
     * cannot be faulted in as an error ({@code EFAULT}, {@code ENOMEM}) instead of SIGBUS.
     */
    public static final int MADV_POPULATE_WRITE = LibcConstants.MADV_POPULATE_WRITE();
    /** {@code msync}: write dirty pages back and wait for it. */
    public static final int MS_SYNC = LibcConstants.MS_SYNC();

    private MmapFlags() {
    }

    /** E.g. {@code PROT_READ|PROT_WRITE}. */
    public static String describeProt(int prot) {
        StringBuilder sb = new StringBuilder();
        int rest = FlagFormatter.append(sb, prot, PROT_READ, "PROT_READ");
        rest = FlagFormatter.append(sb, rest, PROT_WRITE, "PROT_WRITE");
        rest = FlagFormatter.append(sb, rest, LibcConstants.PROT_EXEC(), "PROT_EXEC");
        return prot == 0 ? "PROT_NONE" : FlagFormatter.finish(sb, rest);
    }

    /** E.g. {@code MADV_POPULATE_WRITE}; an unknown value as its number. */
    public static String describeAdvice(int advice) {
        if (advice == MADV_DONTNEED) {
            return "MADV_DONTNEED";
        } else if (advice == MADV_PAGEOUT) {
            return "MADV_PAGEOUT";
        } else if (advice == MADV_POPULATE_WRITE) {
            return "MADV_POPULATE_WRITE";
        }
        return Integer.toString(advice);
    }

    /** E.g. {@code MAP_SHARED|MAP_POPULATE}. */
    public static String describeFlags(int flags) {
        StringBuilder sb = new StringBuilder();
        int rest = FlagFormatter.append(sb, flags, MAP_SHARED, "MAP_SHARED");
        rest = FlagFormatter.append(sb, rest, MAP_PRIVATE, "MAP_PRIVATE");
        rest = FlagFormatter.append(sb, rest, MAP_POPULATE, "MAP_POPULATE");
        rest = FlagFormatter.append(sb, rest, MAP_ANONYMOUS, "MAP_ANONYMOUS");
        return FlagFormatter.finish(sb, rest);
    }
}
