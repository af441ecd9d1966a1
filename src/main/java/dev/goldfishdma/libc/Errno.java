package dev.goldfishdma.libc;

import dev.goldfishdma.gen.libc.LibcConstants;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code errno} values the project tests for, and the symbolic name and description of any {@code errno}.
 *
 * <p>The numbers come from the bindings generated from {@code <errno.h>}, never typed by hand; they are the
 * Linux generic numbers, which x86_64 and aarch64 share.
 */
public final class Errno {
    /** Operation not permitted. */
    public static final int EPERM = LibcConstants.EPERM();
    /** No such file or directory. */
    public static final int ENOENT = LibcConstants.ENOENT();
    /** Interrupted system call. */
    public static final int EINTR = LibcConstants.EINTR();
    /** Input/output error. */
    public static final int EIO = LibcConstants.EIO();
    /** No such device or address. */
    public static final int ENXIO = LibcConstants.ENXIO();
    /** Bad file descriptor. */
    public static final int EBADF = LibcConstants.EBADF();
    /** Resource temporarily unavailable (also {@code EWOULDBLOCK}). */
    public static final int EAGAIN = LibcConstants.EAGAIN();
    /** Cannot allocate memory. */
    public static final int ENOMEM = LibcConstants.ENOMEM();
    /** Permission denied. */
    public static final int EACCES = LibcConstants.EACCES();
    /** Bad address. */
    public static final int EFAULT = LibcConstants.EFAULT();
    /** Device or resource busy. */
    public static final int EBUSY = LibcConstants.EBUSY();
    /** No such device. */
    public static final int ENODEV = LibcConstants.ENODEV();
    /** Not a directory. */
    public static final int ENOTDIR = LibcConstants.ENOTDIR();
    /** Is a directory. */
    public static final int EISDIR = LibcConstants.EISDIR();
    /** Invalid argument. */
    public static final int EINVAL = LibcConstants.EINVAL();
    /** Too many open files in system (the emulated device: too many open pipes, {@code --max-pipes}). */
    public static final int ENFILE = LibcConstants.ENFILE();
    /** Too many open files (this process's descriptors). */
    public static final int EMFILE = LibcConstants.EMFILE();
    /** Inappropriate ioctl for device. */
    public static final int ENOTTY = LibcConstants.ENOTTY();
    /** Illegal seek: the file has no positions (a pipe, a stream). */
    public static final int ESPIPE = LibcConstants.ESPIPE();
    /** Broken pipe. */
    public static final int EPIPE = LibcConstants.EPIPE();
    /** Function not implemented. */
    public static final int ENOSYS = LibcConstants.ENOSYS();
    /** Transport endpoint is not connected (a FUSE server that went away). */
    public static final int ENOTCONN = LibcConstants.ENOTCONN();
    /** Software caused connection abort (a FUSE connection that was aborted). */
    public static final int ECONNABORTED = LibcConstants.ECONNABORTED();
    /** Operation not supported. */
    public static final int EOPNOTSUPP = LibcConstants.EOPNOTSUPP();

    private Errno() {
    }

    /** The symbolic name of {@code errno}, e.g. {@code "EINVAL"}; {@code "E?<n>"} for a number with no name. */
    public static String name(int errno) {
        String name = Names.BY_NUMBER.get(errno);
        return name != null ? name : "E?" + errno;
    }

    /** The C library's text for {@code errno} ({@code strerror}). */
    public static String describe(int errno) {
        return Descriptions.CACHE.computeIfAbsent(errno, Libc::strerror);
    }

    /** Built on first use: the error path only. */
    private static final class Names {
        // Aliases of another name with the same number; the canonical name wins.
        private static final Set<String> ALIASES = Set.of("EWOULDBLOCK", "EDEADLOCK", "ENOTSUP");
        static final Map<Integer, String> BY_NUMBER = collect();

        private static Map<Integer, String> collect() {
            Map<Integer, String> names = new ConcurrentHashMap<>();
            for (Method m : LibcConstants.class.getMethods()) {
                String name = m.getName();
                if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                        && m.getReturnType() == int.class && name.matches("E[A-Z0-9]+")
                        && !ALIASES.contains(name)) {
                    try {
                        names.putIfAbsent((Integer) m.invoke(null), name);
                    } catch (ReflectiveOperationException e) {
                        throw new ExceptionInInitializerError(e);
                    }
                }
            }
            return Map.copyOf(names);
        }
    }

    private static final class Descriptions {
        static final Map<Integer, String> CACHE = new ConcurrentHashMap<>();
    }
}
