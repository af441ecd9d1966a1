package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.DescriptorPassing;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.Spawn;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Mounting: how the emulator's file system gets onto a directory and off it again, and what
 * {@code /proc/self/mountinfo} says about mounts, including the dead ones that killed servers leave.
 *
 * <h2>Two ways to mount, chosen by what this process may do</h2>
 * <ul>
 * <li>{@linkplain Method#MOUNT_SYSCALL mount(2)} on a descriptor of {@code /dev/fuse} opened here, when
 *     this process has CAP_SYS_ADMIN over its mount namespace: root, or root of a user namespace that owns
 *     its mount namespace ({@code unshare -rm}). Undone with {@code umount2(MNT_DETACH)}.</li>
 * <li>{@linkplain Method#FUSERMOUNT fusermount3}, the setuid helper of the distribution's {@code fuse3}
 *     package, for an ordinary user, the way libfuse does it: a socket pair, {@code _FUSE_COMMFD} in the
 *     helper's environment naming its end, the helper opens {@code /dev/fuse} with this user's rights,
 *     mounts, and sends the descriptor back over the socket ({@code SCM_RIGHTS}). Undone with
 *     {@code fusermount3 -u}, or {@code -u -z} (detached) when the mount is busy or on error paths.</li>
 * </ul>
 * mount(2) is tried first; {@code EPERM} means this process may not, and fusermount3 is used instead, as
 * libfuse does. A capability check alone would not do: in a user namespace without a mount namespace of
 * its own ({@code unshare -r}) CAP_SYS_ADMIN shows in the effective set, yet mount(2) fails. What
 * fusermount3 allows an ordinary user: the mount point must be a directory the user may write (and own, if
 * it is sticky, like {@code /tmp}), on a local file system type; of the mount options it passes on
 * {@code default_permissions}, {@code allow_other}, {@code max_read=} and {@code blksize=} (others are mount
 * flags or refused), and {@code allow_other} (and {@code allow_root}) only with {@code user_allow_other} in
 * {@code /etc/fuse.conf}, else it refuses to mount, saying so; the mount is {@code nosuid,nodev}.
 *
 * <h2>Who may use it</h2>
 * Both ways mount with the same options ({@link MountSettings}): always {@code default_permissions}, so
 * that the kernel checks the nodes' owner and mode ({@link NodeNamespace}), and {@code allow_other} only
 * when asked. Without {@code allow_other} only the mounting user (same uid and gid) may use the mount, root
 * included. mount(2) takes them in its data argument next to {@code fd=}, {@code rootmode=},
 * {@code user_id=} and {@code group_id=}; fusermount3 takes them after {@code -o} and adds those four
 * itself.
 * fusermount3's {@code auto_unmount} is not used either: in fuse3 3.14 (Debian 12) it leaves the mount of a
 * killed server in place unless {@code allow_other} is set; a dead mount is detached at the next start
 * instead.
 *
 * <p>When neither way exists, {@link #mount} throws a {@link FuseUnavailableException} naming what is
 * missing: access to {@code /dev/fuse}, or the right to mount and a {@code fusermount3} to do it instead.
 */
public final class FuseMount {
    private static final System.Logger LOG = System.getLogger(FuseMount.class.getName());
    private static final String FILESYSTEM_TYPE = DriverRules.EMULATED_FILE_SYSTEM_TYPE;
    private static final String SOURCE = "goldfish";
    private static final Path DEVICE = Path.of("/dev/fuse");
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    /** Where libfuse looks for the helper before PATH. */
    private static final List<Path> FUSERMOUNT_DIRS = List.of(Path.of("/usr/bin"), Path.of("/bin"));
    /** The system property that names the fusermount3 to use instead of looking for one (for tests). */
    public static final String FUSERMOUNT_PROPERTY = "goldfish.fusermount";
    /**
     * The way {@link #mount} takes when the system property {@value #METHOD_PROPERTY} forces one:
     * {@code fusermount3} or {@code mount} (for tests: root can mount through fusermount3 too); absent or
     * {@code auto}, the way is chosen as described in the class documentation.
     */
    public static final String METHOD_PROPERTY = "goldfish.emulator.mount";
    private static final String FUSERMOUNT = "fusermount3";
    // fusermount3 takes the descriptor number from its environment; above 2, which newer versions require.
    private static final int FUSERMOUNT_COMM_FD = 3;
    private static final long FUSERMOUNT_TIMEOUT_SECONDS = 30;
    private static final int FUSERMOUNT_OUTPUT_LIMIT = 64 * 1024;
    private static final int CAP_SYS_ADMIN = 21;

    /** How a mount was made. */
    public enum Method {
        /** {@code mount(2)} by this process, which has the right to mount. */
        MOUNT_SYSCALL("mount(2)"),
        /** The setuid {@code fusermount3}, for an ordinary user. */
        FUSERMOUNT("fusermount3");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final Path mountPoint;
    private final int deviceFd;
    private final Method method;
    private int deadMountsDetached;
    private boolean mounted = true;

    private FuseMount(Path mountPoint, int deviceFd, Method method) {
        this.mountPoint = mountPoint;
        this.deviceFd = deviceFd;
        this.method = method;
    }

    /**
     * Mounts a new FUSE connection on the existing directory {@code dir}, after detaching the dead mounts
     * that killed servers left there (first of all: any other look at the directory would fail with
     * ENOTCONN), with mount(2) if this process may, else with fusermount3. The kernel queues INIT at once;
     * nothing on the mount answers until the server reads and answers it.
     *
     * @param settings who may use the mount, and whether a non-empty directory will do
     * @return the mount; its {@linkplain #deviceFd() descriptor of /dev/fuse} is the caller's to close
     * @throws FuseUnavailableException when this user can mount FUSE in no way (the message says what is
     *                                  missing)
     * @throws IOException              when the directory is missing, not empty (unless
     *                                  {@link MountSettings#nonEmpty()}) or already served, or cannot be
     *                                  mounted on (e.g. fusermount3 refuses it: the message quotes it)
     * @see #METHOD_PROPERTY
     */
    static FuseMount mount(Path dir, MountSettings settings) throws IOException {
        return mount(dir, forcedMethod(), settings);
    }

    private static Method forcedMethod() {
        String value = System.getProperty(METHOD_PROPERTY, "auto");
        return switch (value) {
            case "auto" -> null;
            case "mount" -> Method.MOUNT_SYSCALL;
            case "fusermount3" -> Method.FUSERMOUNT;
            default -> throw new IllegalArgumentException(METHOD_PROPERTY + " must be auto, mount or fusermount3, not "
                    + value);
        };
    }

    /** {@link #mount(Path, MountSettings)} with the way forced ({@code null}: chosen as described there). */
    static FuseMount mount(Path dir, Method forced, MountSettings settings) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        int stale = detachStale(target);
        if (stale > 0) {
            LOG.log(System.Logger.Level.INFO, describeDetached(stale, target));
        }
        if (!Files.isDirectory(target)) {
            throw new IOException("not a directory: " + target);
        }
        if (!settings.nonEmpty()) {
            requireEmpty(target);
        }
        String options = accessOptions(settings);
        if (forced != Method.FUSERMOUNT) {
            int fd = openDevice();
            try {
                Libc.mount(SOURCE, target.toString(), FILESYSTEM_TYPE,
                        LibcConstants.MS_NOSUID() | LibcConstants.MS_NODEV(), "fd=" + fd
                                + ",rootmode=40000,user_id=" + Libc.getuid() + ",group_id=" + Libc.getgid()
                                + "," + options);
                FuseMount mount = new FuseMount(target, fd, Method.MOUNT_SYSCALL);
                mount.deadMountsDetached = stale;
                return mount;
            } catch (ErrnoException e) {
                closeQuietly(fd, e);
                if (e.errno() != Errno.EPERM || forced == Method.MOUNT_SYSCALL) {
                    throw e;
                }
            } catch (RuntimeException e) {
                closeQuietly(fd, e);
                throw e;
            }
        }
        Path fusermount = findFusermount();
        if (fusermount == null) {
            throw new FuseUnavailableException(noFusermountReason());
        }
        FuseMount mount = mountWithFusermount(fusermount, target, options);
        mount.deadMountsDetached = stale;
        return mount;
    }

    /** The options of {@link MountSettings} as both mount(2) and fusermount3 take them. */
    private static String accessOptions(MountSettings settings) {
        return "default_permissions" + (settings.allowOther() ? ",allow_other" : "");
    }

    /** Refuses a directory with anything in it: mounting would hide it, and a mistyped path would go unseen. */
    private static void requireEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            List<String> names = entries.limit(3).map(p -> p.getFileName().toString()).toList();
            if (!names.isEmpty()) {
                throw new IOException("the directory to mount on is not empty: " + dir + " holds "
                        + String.join(", ", names) + (names.size() == 3 ? ", ..." : "")
                        + "; mounting would hide it: use an empty directory (or --non-empty to mount over it)");
            }
        }
    }

    /** The words for {@code count} dead mounts detached from {@code dir}, for logs and commands. */
    public static String describeDetached(int count, Path dir) {
        return "detached " + (count == 1 ? "a dead mount" : count + " dead mounts") + " of a killed emulator from "
                + dir + " (its server was gone: every access there failed with ENOTCONN)";
    }

    /** How many dead mounts {@link #mount} detached from the directory before mounting. */
    int deadMountsDetached() {
        return deadMountsDetached;
    }

    /**
     * Why this user cannot mount FUSE here at all, as {@link #mount} would say it, or null when it can: by
     * {@link #expectedMethod()}. A check without mounting, for tools and tests that want to know beforehand.
     */
    public static String unavailableReason() {
        String unusable = deviceUnusableReason();
        if (unusable != null) {
            return unusable;
        }
        if (expectedMethod() == Method.FUSERMOUNT && findFusermount() == null) {
            return noFusermountReason();
        }
        return null;
    }

    /** Why this user cannot use {@code /dev/fuse} (missing, or no access to it), or null. */
    private static String deviceUnusableReason() {
        if (!Files.exists(DEVICE)) {
            return noDeviceReason();
        }
        if (!Files.isReadable(DEVICE) || !Files.isWritable(DEVICE)) {
            return noAccessReason();
        }
        return null;
    }

    private static String noDeviceReason() {
        return "cannot mount FUSE: there is no " + DEVICE + " (is the fuse kernel module loaded? modprobe fuse)";
    }

    /**
     * The way {@link #mount} is expected to take here: mount(2) with CAP_SYS_ADMIN, else fusermount3 (mount(2)
     * is still tried first, and may fail without a mount namespace of this user namespace's own).
     */
    public static Method expectedMethod() {
        Method forced = forcedMethod();
        return forced != null ? forced : hasCapability(CAP_SYS_ADMIN) ? Method.MOUNT_SYSCALL : Method.FUSERMOUNT;
    }

    private static String noAccessReason() {
        return "cannot mount FUSE as uid " + Libc.getuid() + ": no access to " + DEVICE + " (" + describeNode(DEVICE)
                + "); it must be readable and writable by this user, as it is (mode 0666) on most distributions";
    }

    private static String noFusermountReason() {
        String why = forcedMethod() == Method.FUSERMOUNT ? METHOD_PROPERTY + "=fusermount3 asks for it"
                : "mount(2) needs CAP_SYS_ADMIN (root)";
        return "cannot mount FUSE as uid " + Libc.getuid() + ": " + why + ", and " + FUSERMOUNT + ", which lets "
                + "ordinary users mount, is not installed (looked in " + fusermountPlaces() + "): install the "
                + "distribution's fuse3 package";
    }

    /** Opens {@code /dev/fuse} for mount(2); a failure that no other way could avoid is said as such. */
    private static int openDevice() throws IOException {
        // O_NONBLOCK: the connection's reader waits in poll(2) on this descriptor and on a wake-up pipe, so
        // that closing can stop it even while requests are outstanding; a blocking read(2) could not be woken.
        try {
            return Libc.open(DEVICE.toString(), OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK);
        } catch (ErrnoException e) {
            // fusermount3 opens /dev/fuse with the caller's rights too: it would fail the same way.
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENODEV || e.errno() == Errno.ENXIO) {
                throw new FuseUnavailableException(noDeviceReason(), e);
            }
            if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM) {
                throw new FuseUnavailableException(noAccessReason(), e);
            }
            throw e;
        }
    }

    /** Mounts through fusermount3 (see the class documentation), returning the mount with a non-blocking descriptor. */
    private static FuseMount mountWithFusermount(Path fusermount, Path target, String options) throws IOException {
        // fusermount3 opens /dev/fuse with this user's rights: say what is wrong as for mount(2), not after it.
        String unusable = deviceUnusableReason();
        if (unusable != null) {
            throw new FuseUnavailableException(unusable);
        }
        int[] socket = DescriptorPassing.socketPair(LibcConstants.SOCK_STREAM());
        int[] stderr;
        try {
            stderr = Libc.pipe(OpenFlags.O_CLOEXEC);
        } catch (ErrnoException | RuntimeException e) {
            closeQuietly(socket[0], e);
            closeQuietly(socket[1], e);
            throw e;
        }
        int fd = -1;
        String output = "";
        int status = -1;
        try {
            int pid;
            try {
                // The type fusermount3 mounts is "fuse." + subtype: the same type as mount(2)'s.
                String subtype = FILESYSTEM_TYPE.substring("fuse.".length());
                pid = Spawn.start(fusermount, List.of(FUSERMOUNT, "-o", "fsname=" + SOURCE + ",subtype=" + subtype
                                + "," + options, "--", target.toString()),
                        Map.of("_FUSE_COMMFD", Integer.toString(FUSERMOUNT_COMM_FD)),
                        Spawn.DEV_NULL, Spawn.DEV_NULL, stderr[1], socket[1]);
            } finally {
                closeQuietly(socket[1], null);
                closeQuietly(stderr[1], null);
            }
            // fusermount3 sends the descriptor and exits, or exits without: either way its stderr ends then.
            try {
                fd = DescriptorPassing.receiveDescriptor(socket[0]);
            } finally {
                try {
                    output = readAll(stderr[0]);
                } finally {
                    status = Spawn.waitFor(pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (fd >= 0) {
                closeQuietly(fd, e);
                detachQuietly(target, e);
            }
            throw e;
        } finally {
            closeQuietly(socket[0], null);
            closeQuietly(stderr[0], null);
        }
        if (fd < 0) {
            throw new IOException(FUSERMOUNT + " could not mount on " + target + " (exit status " + status + "): "
                    + (output.isBlank() ? "it said nothing" : output.strip()));
        }
        if (!output.isBlank()) {
            LOG.log(System.Logger.Level.WARNING, FUSERMOUNT + ": " + output.strip());
        }
        FuseMount mount = new FuseMount(target, fd, Method.FUSERMOUNT);
        try {
            // fusermount3 opens the device blocking; the reader needs it non-blocking (see openDevice).
            int flags = Libc.fcntl(fd, LibcConstants.F_GETFL(), 0, "F_GETFL");
            Libc.fcntl(fd, LibcConstants.F_SETFL(), flags | OpenFlags.O_NONBLOCK, "F_SETFL");
        } catch (ErrnoException | RuntimeException e) {
            mount.mounted = false;
            closeQuietly(fd, e);
            detachQuietly(target, e);
            throw e;
        }
        return mount;
    }

    /** What a pipe gives until its writers are gone, up to a limit; the rest is drained and dropped. */
    private static String readAll(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            long n;
            while ((n = Libc.read(fd, buffer)) > 0) {
                if (text.size() < FUSERMOUNT_OUTPUT_LIMIT) {
                    text.writeBytes(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                }
            }
            return text.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * The fusermount3 to use: the system property {@value #FUSERMOUNT_PROPERTY} if set, else the first found
     * in {@code /usr/bin}, {@code /bin} and PATH, as libfuse looks; null if none.
     */
    static Path findFusermount() {
        String forced = System.getProperty(FUSERMOUNT_PROPERTY);
        if (forced != null) {
            return Files.isExecutable(Path.of(forced)) ? Path.of(forced) : null;
        }
        for (Path dir : fusermountDirs()) {
            Path candidate = dir.resolve(FUSERMOUNT);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static List<Path> fusermountDirs() {
        List<Path> dirs = new ArrayList<>(FUSERMOUNT_DIRS);
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty() && !dirs.contains(Path.of(dir))) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        return dirs;
    }

    private static String fusermountPlaces() {
        String forced = System.getProperty(FUSERMOUNT_PROPERTY);
        return forced != null ? forced + " (" + FUSERMOUNT_PROPERTY + ")"
                : fusermountDirs().stream().map(Path::toString).collect(Collectors.joining(", "));
    }

    private static String describeNode(Path node) {
        try {
            PosixFileAttributes attributes = Files.readAttributes(node, PosixFileAttributes.class);
            return "mode " + PosixFilePermissions.toString(attributes.permissions()) + ", owner "
                    + attributes.owner().getName() + ", group " + attributes.group().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot read its mode: " + e.getMessage();
        }
    }

    /** The directory mounted on. */
    Path mountPoint() {
        return mountPoint;
    }

    /**
     * The device number of the mounted file system as {@code /proc/<pid>/maps} prints it, e.g.
     * {@code 00:28}, read from {@code /proc/self/mountinfo} (a stat of the mount would ask its own server).
     *
     * @throws IOException when the mount is not in the table
     */
    String mapsDeviceNumber() throws IOException {
        String found = null;
        for (String line : Files.readAllLines(MOUNTINFO)) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && Path.of(unescape(fields[4])).equals(mountPoint)) {
                found = fields[2]; // the last mount on the directory is ours
            }
        }
        if (found == null) {
            throw new IOException(mountPoint + " is not in /proc/self/mountinfo");
        }
        String[] majorMinor = found.split(":");
        return String.format("%02x:%02x", Integer.parseInt(majorMinor[0]), Integer.parseInt(majorMinor[1]));
    }

    /** The descriptor of {@code /dev/fuse} that serves the mount, non-blocking. */
    int deviceFd() {
        return deviceFd;
    }

    /** How the mount was made. */
    public Method method() {
        return method;
    }

    /**
     * Whether this process has CAP_SYS_ADMIN in the initial user namespace: root proper, not root of a user
     * namespace. What FUSE passthrough's backing files need ({@code FUSE_DEV_IOC_BACKING_OPEN} checks it); a
     * mount without it serves region memory through the page cache.
     */
    public static boolean privileged() {
        return hasCapability(CAP_SYS_ADMIN) && !inUserNamespace();
    }

    /** Whether this process runs in a user namespace other than the initial one. */
    public static boolean inUserNamespace() {
        try {
            // The initial namespace maps all of the 32-bit id space onto itself.
            return !Files.readString(Path.of("/proc/self/uid_map")).trim().split("\\s+", 3)[2].equals("4294967295");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean hasCapability(int capability) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                    return (caps & (1L << capability)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    /** How it was mounted and by whom, for the status file and logs, e.g. {@code "fusermount3 (uid 1000)"}. */
    public String describe() {
        return method + " (uid " + Libc.getuid() + (inUserNamespace() ? " in a user namespace" : "") + ")";
    }

    /**
     * Unmounts: with mount(2)'s right detached, so that the directory is free at once and the file system
     * lives on until its last user lets go; through fusermount3 plainly, and detached only when that fails
     * (the mount is busy). Idempotent; a failure is logged.
     */
    synchronized void unmount() {
        if (!mounted) {
            return;
        }
        mounted = false;
        try {
            if (method == Method.FUSERMOUNT) {
                if (!isMountPoint(mountPoint)) {
                    return; // unmounted from outside already
                }
                if (runFusermount(findFusermount(), mountPoint, "-u") != null) {
                    detach(mountPoint); // busy: detached, as mount(2)'s unmount is
                }
            } else {
                Libc.umount2(mountPoint.toString(), LibcConstants.MNT_DETACH());
            }
        } catch (ErrnoException e) {
            // EINVAL: not a mount point any more (someone else unmounted it).
            if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
        }
    }

    /** Detaches what was just mounted on {@code dir}, on an error path: a failure is added to {@code failure}. */
    private static void detachQuietly(Path dir, Exception failure) {
        try {
            detach(dir);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Detaches the top mount on {@code dir}: {@code umount2(MNT_DETACH)} when this process may, else
     * {@code fusermount3 -u -z}, which lets a user unmount the FUSE mounts it made.
     *
     * @throws ErrnoException {@code EINVAL} when nothing is mounted there
     * @throws IOException    when neither may (fusermount3's refusal is quoted)
     */
    private static void detach(Path dir) throws IOException {
        try {
            Libc.umount2(dir.toString(), LibcConstants.MNT_DETACH());
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EPERM) {
                throw e;
            }
            Path fusermount = findFusermount();
            if (fusermount == null) {
                throw new IOException(e.getMessage() + "; and no " + FUSERMOUNT + " to ask instead (looked in "
                        + fusermountPlaces() + ")", e);
            }
            String failed = runFusermount(fusermount, dir, "-u", "-z");
            if (failed != null) {
                throw new IOException(failed, e);
            }
        }
    }

    /**
     * Runs {@code fusermount3 <options> -- dir} (an unmount) and waits for it.
     *
     * @return null when it succeeded, else what went wrong, with its output
     */
    private static String runFusermount(Path fusermount, Path dir, String... options) throws IOException {
        if (fusermount == null) {
            return "no " + FUSERMOUNT + " (looked in " + fusermountPlaces() + ")";
        }
        List<String> command = new ArrayList<>();
        command.add(fusermount.toString());
        command.addAll(List.of(options));
        command.add("--");
        command.add(dir.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] output = process.getInputStream().readNBytes(FUSERMOUNT_OUTPUT_LIMIT);
        process.getInputStream().transferTo(OutputStream.nullOutputStream());
        try {
            if (!process.waitFor(FUSERMOUNT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return String.join(" ", command) + " did not finish within " + FUSERMOUNT_TIMEOUT_SECONDS + " s";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + String.join(" ", command));
        }
        if (process.exitValue() == 0) {
            return null;
        }
        return String.join(" ", command) + " failed (exit status " + process.exitValue() + "): "
                + new String(output, StandardCharsets.UTF_8).strip();
    }

    private static void closeQuietly(int fd, Exception failure) {
        try {
            Libc.close(fd);
        } catch (ErrnoException e) {
            if (failure != null) {
                failure.addSuppressed(e);
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
     * @param dir a directory, possibly a mount point
     * @return how many were detached
     * @throws IOException when a live mount is on {@code dir} (another server is serving it)
     */
    public static int detachStale(Path dir) throws IOException {
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
            detach(target);
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
                    detach(dir);
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
