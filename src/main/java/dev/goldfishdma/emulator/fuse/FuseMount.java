package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mounting: how the emulator's file system gets onto a directory and off it again, and what
 * {@code /proc/self/mountinfo} says about mounts, including the dead ones that killed servers leave.
 *
 * <p>A mount is made with {@code mount(2)} on a descriptor of {@code /dev/fuse} (which needs the right to
 * mount) and undone detached ({@code umount2(MNT_DETACH)}), so that the directory is free at once and the
 * file system lives on until its last user lets go.
 */
public final class FuseMount {
    private static final System.Logger LOG = System.getLogger(FuseMount.class.getName());
    private static final String FILESYSTEM_TYPE = "fuse.goldfish";
    private static final String SOURCE = "goldfish";
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private final Path mountPoint;
    private final int deviceFd;
    private boolean mounted = true;

    private FuseMount(Path mountPoint, int deviceFd) {
        this.mountPoint = mountPoint;
        this.deviceFd = deviceFd;
    }

    /**
     * Mounts a new FUSE connection on the existing directory {@code dir}, after detaching the dead mounts
     * that killed servers left there. The kernel queues INIT at once; nothing on the mount answers until
     * the server reads and answers it.
     *
     * @return the mount; its {@linkplain #deviceFd() descriptor of /dev/fuse} is the caller's to close
     * @throws IOException when the directory is missing or already served, or cannot be mounted on (e.g.
     *                     {@code EPERM} without the right to mount)
     */
    static FuseMount mount(Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        int stale = detachStale(target);
        if (stale > 0) {
            LOG.log(System.Logger.Level.INFO, "detached " + stale + " dead mount(s) left on " + target);
        }
        if (!Files.isDirectory(target)) {
            throw new IOException("not a directory: " + target);
        }
        // O_NONBLOCK: the connection's reader waits in poll(2) on this descriptor and on a wake-up pipe, so
        // that closing can stop it even while requests are outstanding; a blocking read(2) could not be woken.
        int fd = Libc.open("/dev/fuse", OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK);
        try {
            String options = "fd=" + fd + ",rootmode=40000,user_id=0,group_id=0,allow_other";
            Libc.mount(SOURCE, target.toString(), FILESYSTEM_TYPE,
                    LibcConstants.MS_NOSUID() | LibcConstants.MS_NODEV(), options);
        } catch (ErrnoException | RuntimeException e) {
            try {
                Libc.close(fd);
            } catch (ErrnoException closeFailed) {
                e.addSuppressed(closeFailed);
            }
            throw e;
        }
        return new FuseMount(target, fd);
    }

    /** The directory mounted on. */
    Path mountPoint() {
        return mountPoint;
    }

    /** The descriptor of {@code /dev/fuse} that serves the mount, non-blocking. */
    int deviceFd() {
        return deviceFd;
    }

    /**
     * Detaches the mount: the directory is free at once, and the file system lives on until its last user
     * lets go. Idempotent.
     */
    synchronized void unmount() {
        if (!mounted) {
            return;
        }
        mounted = false;
        try {
            Libc.umount2(mountPoint.toString(), LibcConstants.MNT_DETACH());
        } catch (ErrnoException e) {
            // EINVAL: not a mount point any more (someone else unmounted it).
            if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
            }
        }
    }

    // ---- the mount table --------------------------------------------------------------------------------

    /**
     * One line of mountinfo: where, and what type.
     *
     * @param mountPoint the directory mounted on
     * @param type       the file system type, e.g. {@code fuse.goldfish}
     */
    public record Mount(Path mountPoint, String type) {
    }

    /** Every mount of this mount namespace, in mount order. */
    public static List<Mount> mounts() throws IOException {
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
    public static boolean isMountPoint(Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        return mounts().stream().anyMatch(m -> m.mountPoint().equals(target));
    }

    /** The mounts on {@code dir} or below it. */
    public static List<Mount> mountsUnder(Path dir) throws IOException {
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

    /**
     * Detaches every mount still on {@code dir}, live or dead (a killed server leaves its dead mount behind).
     *
     * @throws UncheckedIOException when a mount cannot be detached or the mount table cannot be read
     */
    public static void detachAll(Path dir) {
        try {
            for (int i = 0; i < 16 && isMountPoint(dir); i++) {
                try {
                    Libc.umount2(dir.toString(), LibcConstants.MNT_DETACH());
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EINVAL) {
                        break;
                    }
                    throw e;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot detach the emulator's mount on " + dir, e);
        }
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
