package dev.goldfishdma.bindings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls these tests need beyond the libc layer's, to watch what a generated constant does:
 * each returns the call's result, or {@code -errno} when it failed.
 */
final class NativeCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle FCNTL = downcall("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT),
            CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SOCKETPAIR = downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE);
    private static final MethodHandle SENDMSG = downcall("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
    private static final MethodHandle RECVMSG = downcall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
    private static final MethodHandle PRCTL = downcall("prctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG),
            CAPTURE, Linker.Option.firstVariadicArg(1));
    private static final MethodHandle KILL = downcall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE);
    private static final MethodHandle MINCORE = downcall("mincore",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS), CAPTURE);

    private NativeCalls() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("the C library has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static long call(MethodHandle handle, Object... args) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            Object[] all = new Object[args.length + 1];
            all[0] = state;
            System.arraycopy(args, 0, all, 1, args.length);
            Object result;
            try {
                result = handle.invokeWithArguments(all);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            long r = result instanceof MemorySegment m ? m.address() : ((Number) result).longValue();
            return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
        }
    }

    /** {@code fcntl(fd, cmd)} for the commands that take no argument. */
    static int fcntl(int fd, int cmd) {
        return (int) call(FCNTL, fd, cmd);
    }

    /** {@code socketpair(domain, type, 0, fds)}: the two descriptors, or {@code {-errno}}. */
    static int[] socketpair(int domain, int type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            long r = call(SOCKETPAIR, domain, type, 0, fds);
            return r < 0 ? new int[] {(int) r} : fds.toArray(JAVA_INT);
        }
    }

    static long sendmsg(int fd, MemorySegment msghdr, int flags) {
        return call(SENDMSG, fd, msghdr, flags);
    }

    static long recvmsg(int fd, MemorySegment msghdr, int flags) {
        return call(RECVMSG, fd, msghdr, flags);
    }

    /** {@code prctl(option, arg2)}. */
    static int prctl(int option, long arg2) {
        return (int) call(PRCTL, option, arg2);
    }

    static int kill(long pid, int signal) {
        return (int) call(KILL, (int) pid, signal);
    }

    /** {@code mmap(address, length, prot, flags, -1, 0)}: the address of the mapping, or {@code -errno}. */
    static long mmapAnonymousAt(long address, long length, int prot, int flags) {
        return call(MMAP, MemorySegment.ofAddress(address), length, prot, flags, -1, 0L);
    }

    /** How many of the pages of {@code [address, address + length)} are resident ({@code mincore}). */
    static int residentPages(long address, long length, long pageSize) {
        int pages = (int) ((length + pageSize - 1) / pageSize);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vector = arena.allocate(pages);
            long r = call(MINCORE, MemorySegment.ofAddress(address), length, vector);
            if (r < 0) {
                throw new AssertionError("mincore failed: errno " + -r);
            }
            int resident = 0;
            for (int i = 0; i < pages; i++) {
                resident += vector.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident;
        }
    }

    /** {@code strerrorname_np(errno)} (glibc 2.32+): the symbolic name, or empty for an unknown number. */
    static Optional<String> strerrorname(int errno) {
        MethodHandle handle = StrerrorName.HANDLE;
        if (handle == null) {
            throw new UnsupportedOperationException("the C library has no strerrorname_np (glibc 2.32 or newer has)");
        }
        MemorySegment name;
        try {
            name = (MemorySegment) handle.invokeExact(errno);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return name.equals(MemorySegment.NULL) ? Optional.empty() : Optional.of(name.reinterpret(256).getString(0));
    }

    /** Whether the C library has {@code strerrorname_np}. */
    static boolean hasStrerrorname() {
        return StrerrorName.HANDLE != null;
    }

    private static final class StrerrorName {
        static final MethodHandle HANDLE = LINKER.defaultLookup().find("strerrorname_np")
                .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(ADDRESS, JAVA_INT)))
                .orElse(null);
    }
}
