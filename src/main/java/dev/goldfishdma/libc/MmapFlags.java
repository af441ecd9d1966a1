package dev.goldfishdma.libc;

import dev.goldfishdma.gen.libc.LibcConstants;

/** {@code mmap(2)} protection and flag bits, from the generated bindings. */
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
