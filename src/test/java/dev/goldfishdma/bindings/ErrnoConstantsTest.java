package dev.goldfishdma.bindings;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generated errno constants against the running C library's names for them and the kernel's errors. */
class ErrnoConstantsTest {
    // The C library's second names for a number; strerrorname_np gives the first.
    private static final Map<String, String> ALIASES = Map.of(
            "EWOULDBLOCK", "EAGAIN", "EDEADLOCK", "EDEADLK", "ENOTSUP", "EOPNOTSUPP");

    @TempDir
    Path dir;

    /** Every {@code E*} constant of the generated class, by name. */
    static Map<String, Integer> generatedErrnos() throws ReflectiveOperationException {
        Map<String, Integer> errnos = new TreeMap<>();
        for (Method m : LibcConstants.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                    && m.getReturnType() == int.class && m.getName().matches("E[A-Z0-9]+")) {
                errnos.put(m.getName(), (Integer) m.invoke(null));
            }
        }
        return errnos;
    }

    @Test
    void everyGeneratedErrnoHasTheCLibrarysNameForItsNumber() throws Exception {
        Capabilities.require(NativeCalls.hasStrerrorname(), "the C library has no strerrorname_np (glibc 2.32+ has)");
        Map<String, Integer> errnos = generatedErrnos();
        assertTrue(errnos.size() > 130, "all of errno-base.h and errno.h: " + errnos.size());
        for (Map.Entry<String, Integer> e : errnos.entrySet()) {
            String name = e.getKey();
            int value = e.getValue();
            String canonical = ALIASES.getOrDefault(name, name);
            assertEquals(canonical, NativeCalls.strerrorname(value).orElse("(none)"), name + " = " + value);
            assertEquals(errnos.get(canonical), value, name + " is " + canonical);
            assertEquals(canonical, Errno.name(value), "the libc layer's name for " + value);
            assertFalse(Errno.describe(value).startsWith("Unknown error"), name + ": " + Errno.describe(value));
        }
    }

    private static int errnoOf(ThrowingCall call) {
        return assertThrows(ErrnoException.class, call::run).errno();
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void theKernelsErrorsAreTheGeneratedNumbers() throws Exception {
        int rdonly = LibcConstants.O_RDONLY();
        assertEquals(Errno.ENOENT, errnoOf(() -> Libc.open(dir.resolve("missing").toString(), rdonly)));
        assertEquals(Errno.EISDIR, errnoOf(() -> Libc.open(dir.toString(), LibcConstants.O_WRONLY())));
        assertEquals(Errno.EBADF, errnoOf(() -> Libc.close(-1)));
        assertEquals(Errno.EINVAL, errnoOf(() -> Libc.mmap(0, MmapFlags.PROT_READ,
                MmapFlags.MAP_PRIVATE | MmapFlags.MAP_ANONYMOUS, -1, 0)));
        int devNull = Libc.open("/dev/null", LibcConstants.O_RDWR());
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(Errno.ENOTTY, errnoOf(() -> Libc.ioctl(devNull, LibcConstants.FIONREAD(), arena.allocate(4))));
        } finally {
            Libc.close(devNull);
        }
        int[] pipe = Libc.pipe(0);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(Errno.EFAULT, errnoOf(() -> Libc.ioctl(pipe[0], LibcConstants.FIONREAD(), MemorySegment.NULL)));
            Libc.close(pipe[0]);
            // The JVM ignores SIGPIPE, so the write fails with EPIPE instead of killing it.
            assertEquals(Errno.EPIPE, errnoOf(() -> Libc.write(pipe[1], arena.allocate(1))));
        } finally {
            Libc.close(pipe[1]);
        }
    }
}
