package dev.goldfishdma.libc;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.gen.libc.posix_spawn_file_actions_t;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Starting a program with {@code posix_spawn(3)} and exactly the descriptors chosen, and waiting for it.
 * For a child that must inherit a descriptor beyond 0, 1 and 2 (a socket, for instance): the JDK's
 * {@link ProcessBuilder} cannot pass one, its launcher closes every other descriptor in the child.
 *
 * <p>glibc spawns with {@code CLONE_VM | CLONE_VFORK}: no copy of this process's memory, and safe in a
 * process with many threads (the JDK's own launcher is started the same way). Every descriptor not chosen
 * is closed in the child where the C library offers {@code posix_spawn_file_actions_addclosefrom_np}
 * (glibc 2.34 and later); elsewhere the child also inherits this process's descriptors that are not
 * close-on-exec.
 */
public final class Spawn {
    /** In {@link #start}'s descriptor list: the child gets {@code /dev/null} (read-write) there. */
    public static final int DEV_NULL = -1;

    private static final MethodHandle POSIX_SPAWN = Libc.downcall("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle ACTIONS_INIT = Libc.downcall("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ACTIONS_DESTROY = Libc.downcall("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ADD_DUP2 = Libc.downcall("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ADD_OPEN = Libc.downcall("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ADD_CLOSEFROM = Linker.nativeLinker().defaultLookup()
            .find("posix_spawn_file_actions_addclosefrom_np")
            .map(symbol -> Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)))
            .orElse(null);
    private static final MethodHandle WAITPID = Libc.downcall("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), Libc.ERRNO);

    private Spawn() {
    }

    /**
     * Starts {@code program} with {@code argv} (its first element is the program's name as it sees it) and
     * exactly the environment {@code env}. The child's descriptor {@code i} is a copy of this process's
     * {@code descriptors[i]}, or {@code /dev/null} for {@link #DEV_NULL}; it has no other descriptor (see
     * the class documentation). Nothing is closed here.
     *
     * @return the child's process id, for {@link #waitFor(int)}, which must be called once
     * @throws ErrnoException when the program cannot be started ({@code ENOENT}: no such program, {@code EACCES}:
     *                        not executable); posix_spawn reports these itself, so no child is left behind
     */
    public static int start(Path program, List<String> argv, Map<String, String> env, int... descriptors)
            throws ErrnoException {
        List<Integer> duplicates = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            int[] sources = descriptors.clone();
            for (int i = 0; i < sources.length; i++) {
                // The actions run in order in the child: a source that is itself a later target would be
                // overwritten before its turn, so it is first copied above all targets.
                if (sources[i] != DEV_NULL && sources[i] != i && sources[i] < sources.length) {
                    sources[i] = Libc.fcntl(sources[i], LibcConstants.F_DUPFD_CLOEXEC(), sources.length,
                            "F_DUPFD_CLOEXEC");
                    duplicates.add(sources[i]);
                }
            }
            MemorySegment actions = posix_spawn_file_actions_t.allocate(arena);
            check("posix_spawn_file_actions_init", (int) ACTIONS_INIT.invokeExact(actions));
            try {
                for (int i = 0; i < sources.length; i++) {
                    if (sources[i] == DEV_NULL) {
                        check("posix_spawn_file_actions_addopen", (int) ADD_OPEN.invokeExact(actions, i,
                                arena.allocateFrom("/dev/null"), OpenFlags.O_RDWR, 0));
                    } else {
                        // dup2 onto the same number clears close-on-exec too (glibc 2.29+, musl).
                        check("posix_spawn_file_actions_adddup2", (int) ADD_DUP2.invokeExact(actions, sources[i], i));
                    }
                }
                if (ADD_CLOSEFROM != null) {
                    check("posix_spawn_file_actions_addclosefrom_np",
                            (int) ADD_CLOSEFROM.invokeExact(actions, sources.length));
                }
                MemorySegment pid = arena.allocate(JAVA_INT);
                int error = (int) POSIX_SPAWN.invokeExact(pid, arena.allocateFrom(program.toString()), actions,
                        MemorySegment.NULL, strings(arena, argv), strings(arena, env.entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue()).toList()));
                if (error != 0) {
                    throw new ErrnoException("posix_spawn", "path=" + program + ", argv=" + argv, error);
                }
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) ACTIONS_DESTROY.invokeExact(actions);
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            for (int fd : duplicates) {
                try {
                    Libc.close(fd);
                } catch (ErrnoException e) {
                    // a copy made above: nothing else refers to it
                }
            }
        }
    }

    /**
     * Whether {@link #start} closes every descriptor not chosen in the child (the C library has
     * {@code posix_spawn_file_actions_addclosefrom_np}), not only the close-on-exec ones.
     */
    public static boolean closesOtherDescriptors() {
        return ADD_CLOSEFROM != null;
    }

    /** The posix_spawn family returns the error number instead of setting errno. */
    private static void check(String call, int error) throws ErrnoException {
        if (error != 0) {
            throw new ErrnoException(call, "", error);
        }
    }

    /** A NULL-terminated array of C strings, as argv and envp are. */
    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    /**
     * {@code waitpid(pid, &status, 0)}, retried on {@code EINTR}: waits for a child started by
     * {@link #start} to end and reaps it.
     *
     * @return its exit status, or 128 + the signal number when a signal ended it (as shells report it)
     */
    public static int waitFor(int pid) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment state = Libc.callState();
            int r;
            do {
                try {
                    r = (int) WAITPID.invokeExact(state, pid, status, 0);
                } catch (Throwable t) {
                    throw Libc.rethrow(t);
                }
            } while (r < 0 && Libc.errno(state) == Errno.EINTR);
            if (r < 0) {
                throw new ErrnoException("waitpid", "pid=" + pid, Libc.errno(state));
            }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, function-like macros: the low 7 bits are the signal that
            // ended the child (0 if it exited), the next 8 its exit status.
            int value = status.get(JAVA_INT, 0);
            int signal = value & 0x7f;
            return signal == 0 ? (value >> 8) & 0xff : 128 + signal;
        }
    }
}
