package dev.goldfishdma.bindings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the kernel reports about this process in {@code /proc/self}: the other side of each constant. */
final class ProcSelf {
    private ProcSelf() {
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of("/proc/self", file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file status flags of {@code fd} as the kernel prints them ({@code flags:} in fdinfo, octal). */
    static int fdinfoFlags(int fd) {
        for (String line : lines("fdinfo/" + fd)) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags line in /proc/self/fdinfo/" + fd);
    }

    /** The permissions column of the mapping holding {@code address} in {@code maps}, e.g. {@code rw-p}. */
    static String mappingPermissions(long address) {
        return mappingHeader(address).split(" ")[1];
    }

    /** The {@code VmFlags} of the mapping holding {@code address} in {@code smaps}, e.g. {@code [rd, wr, mr]}. */
    static List<String> mappingVmFlags(long address) {
        List<String> smaps = lines("smaps");
        String header = mappingHeader(address);
        int start = smaps.indexOf(header);
        for (int i = start + 1; i < smaps.size(); i++) {
            String line = smaps.get(i);
            if (line.startsWith("VmFlags:")) {
                return List.of(line.substring("VmFlags:".length()).trim().split(" +"));
            }
        }
        throw new AssertionError("no VmFlags for " + header);
    }

    /** Shared_Dirty plus Private_Dirty of the mapping holding {@code address} in {@code smaps}, in KiB. */
    static long mappingDirtyKb(long address) {
        List<String> smaps = lines("smaps");
        String header = mappingHeader(address);
        long dirty = 0;
        for (int i = smaps.indexOf(header) + 1; i < smaps.size() && !smaps.get(i).startsWith("VmFlags:"); i++) {
            String line = smaps.get(i);
            if (line.startsWith("Shared_Dirty:") || line.startsWith("Private_Dirty:")) {
                dirty += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return dirty;
    }

    private static String mappingHeader(long address) {
        for (String line : lines("maps")) {
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            long start = Long.parseUnsignedLong(range[0], 16);
            long end = Long.parseUnsignedLong(range[1], 16);
            if (Long.compareUnsigned(start, address) <= 0 && Long.compareUnsigned(address, end) < 0) {
                return line;
            }
        }
        throw new AssertionError("no mapping holds 0x" + Long.toHexString(address));
    }

    /** The mount options of the mount on {@code mountPoint} in {@code mountinfo}, or null when none is. */
    static List<String> mountOptions(Path mountPoint) {
        String point = mountPoint.toString();
        List<String> options = null;
        for (String line : lines("mountinfo")) {
            String[] fields = line.split(" ");
            if (fields[4].equals(point)) {
                options = List.of(fields[5].split(",")); // the last one listed is the one on top
            }
        }
        return options;
    }

    /** Whether this process has {@code CAP_SYS_ADMIN} in its effective set. */
    static boolean hasSysAdmin() {
        final int capSysAdmin = 21;
        for (String line : lines("status")) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16) & (1L << capSysAdmin)) != 0;
            }
        }
        return false;
    }
}
