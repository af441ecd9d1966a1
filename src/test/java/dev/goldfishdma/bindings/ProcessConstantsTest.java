package dev.goldfishdma.bindings;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generated signal numbers, {@code prctl(2)} options and mount flags against the kernel. */
class ProcessConstantsTest {
    @TempDir
    Path dir;

    @Test
    void signalsKillAChildWithTheirNumber() throws Exception {
        for (int signal : new int[] {LibcConstants.SIGINT(), LibcConstants.SIGTERM(), LibcConstants.SIGKILL()}) {
            Process sleeper = new ProcessBuilder("sleep", "60").start();
            try {
                assertEquals(0, NativeCalls.kill(sleeper.pid(), signal));
                assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "signal " + signal + " ended the child");
                // Process reports a death by signal N as exit value 128 + N.
                assertEquals(128 + signal, sleeper.exitValue(), "signal " + signal);
            } finally {
                sleeper.destroyForcibly();
            }
        }
    }

    @Test
    void prSetPdeathsigSetsWhatPrGetPdeathsigReads() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            assertEquals(0, NativeCalls.prctl(LibcConstants.PR_GET_PDEATHSIG(), value.address()));
            int before = value.get(JAVA_INT, 0);
            try {
                assertEquals(0, NativeCalls.prctl(LibcConstants.PR_SET_PDEATHSIG(), LibcConstants.SIGTERM()));
                assertEquals(0, NativeCalls.prctl(LibcConstants.PR_GET_PDEATHSIG(), value.address()));
                assertEquals(LibcConstants.SIGTERM(), value.get(JAVA_INT, 0));
            } finally {
                assertEquals(0, NativeCalls.prctl(LibcConstants.PR_SET_PDEATHSIG(), before));
            }
        }
    }

    /**
     * The mount flags, checked by mounting a tmpfs: here when this process may mount (root), else in a child
     * process in a user namespace of its own ({@code unshare -rm}), where an ordinary user may.
     */
    @Test
    void mountAndUnmountFlagsDoWhatTheySay() throws Exception {
        if (ProcSelf.hasSysAdmin()) {
            checkMountFlags(dir);
            return;
        }
        Path unshare = Capabilities.onPath("unshare");
        Capabilities.require(unshare != null, "mounting a tmpfs needs CAP_SYS_ADMIN (root), or unshare (util-linux) "
                + "to mount in a user namespace of its own");
        List<String> java = new ArrayList<>(Capabilities.javaCommand(MountFlagsInUserNamespace.class.getName(),
                dir.toString()));
        // The JVM's shared performance data would go to /tmp/hsperfdata_root, which is not this user's.
        java.add(1, "-XX:-UsePerfData");
        List<String> command = new ArrayList<>(List.of(unshare.toString(), "--user", "--map-root-user", "--mount"));
        command.addAll(java);
        String output = Capabilities.run(command, 60);
        assertTrue(output.contains(MountFlagsInUserNamespace.PASSED), command + ":\n" + output);
    }

    /** {@link #checkMountFlags} in a process of its own, run in a user namespace by the test above. */
    public static final class MountFlagsInUserNamespace {
        static final String PASSED = "mount flags checked";

        public static void main(String[] args) {
            try {
                checkMountFlags(Path.of(args[0]));
                System.out.println(PASSED);
            } catch (Throwable t) {
                t.printStackTrace(System.out);
                System.exit(1);
            }
        }
    }

    private static void checkMountFlags(Path dir) throws Exception {
        Path target = Files.createDirectory(dir.resolve("mnt")).toRealPath();
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        long flags = LibcConstants.MS_RDONLY() | LibcConstants.MS_NOSUID() | LibcConstants.MS_NODEV()
                | LibcConstants.MS_NOEXEC();
        Libc.mount("goldfish-bindings-test", target.toString(), "tmpfs", flags, "size=64k");
        try {
            List<String> options = ProcSelf.mountOptions(target);
            assertTrue(options.containsAll(List.of("ro", "nosuid", "nodev", "noexec")), options.toString());

            // UMOUNT_NOFOLLOW: the link is not followed, so it names no mount point; the mount point itself
            // is unmounted with the same flag (so the flag is one the kernel knows).
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> Libc.umount2(link.toString(), LibcConstants.UMOUNT_NOFOLLOW()));
            assertEquals(Errno.EINVAL, e.errno());
            Libc.umount2(target.toString(), LibcConstants.UMOUNT_NOFOLLOW());
            assertNull(ProcSelf.mountOptions(target));
        } finally {
            detachIfMounted(target);
        }

        // MNT_DETACH: a busy mount cannot be unmounted, but it can be detached.
        Libc.mount("goldfish-bindings-test", target.toString(), "tmpfs", 0, "size=64k");
        int busy = -1;
        try {
            busy = Libc.open(target.toString(), LibcConstants.O_RDONLY());
            ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.umount2(target.toString(), 0));
            assertEquals(Errno.EBUSY, e.errno());
            Libc.umount2(target.toString(), LibcConstants.MNT_DETACH());
            assertNull(ProcSelf.mountOptions(target));
        } finally {
            if (busy >= 0) {
                Libc.close(busy);
            }
            detachIfMounted(target);
        }
    }

    private static void detachIfMounted(Path target) throws ErrnoException {
        if (ProcSelf.mountOptions(target) != null) {
            Libc.umount2(target.toString(), LibcConstants.MNT_DETACH());
        }
    }
}
