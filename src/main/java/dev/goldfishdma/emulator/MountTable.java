package dev.goldfishdma.emulator;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What {@code /proc/self/mountinfo} says about mounts, and the cleanup of a mount left by a killed server. */
final class MountTable {
    static final String FILESYSTEM_TYPE = "fuse.goldfish";
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountTable() {
    }

    /** One line of mountinfo: where, and what type. */
    record Mount(Path mountPoint, String type) {
    }

    /** Every mount of this mount namespace, in mount order. */
    static List<Mount> mounts() throws IOException {
        List<Mount> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(MOUNTINFO)) {
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            if (fields.length < 5 || separator < 0 || separator + 1 >= fields.length) {
                continue;
            }
            mounts.add(new Mount(Path.of(unescape(fields[4])), fields[separator + 1]));
        }
        return mounts;
    }

    /** Whether something is mounted on {@code dir}. */
    static boolean isMountPoint(Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        return mounts().stream().anyMatch(m -> m.mountPoint().equals(target));
    }

    /** The mounts on {@code dir} or below it. */
    static List<Mount> mountsUnder(Path dir) throws IOException {
        Path top = dir.toAbsolutePath().normalize();
        return mounts().stream().filter(m -> m.mountPoint().startsWith(top)).toList();
    }

    /**
     * Detaches the dead FUSE mounts stacked on {@code dir}: those whose server went away without
     * unmounting (killed), on which any access fails with ENOTCONN.
     *
     * @return how many were detached
     * @throws IOException when a live mount is on {@code dir} (another server is serving it)
     */
    static int detachStale(Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        int detached = 0;
        while (isMountPoint(target)) {
            try {
                int fd = Libc.open(target.toString(), OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
                Libc.close(fd);
                throw new IOException("something is already mounted and serving on " + target
                        + ": unmount it, or use another directory");
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOTCONN) {
                    throw e;
                }
            }
            Libc.umount2(target.toString(), LibcConstants.MNT_DETACH());
            detached++;
        }
        return detached;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
