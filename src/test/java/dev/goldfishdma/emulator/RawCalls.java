package dev.goldfishdma.emulator;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * System calls made once, not retried on EINTR as the libc layer does, so that a test sees what an
 * interrupted call returns; and a signal aimed at one thread. Results are the call's, or {@code -errno}.
 */
final class RawCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final MethodHandle READ = handle("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = handle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = handle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETTID = LINKER.downcallHandle(
            LINKER.defaultLookup().find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle TGKILL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("tgkill").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    /** SIGPIPE on every Linux architecture the project runs on: the JVM handles and ignores it. */
    static final int SIGPIPE = 13;

    private RawCalls() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, CAPTURE);
    }

    /** One read(2): the count, or -errno. */
    static long read(int fd, MemorySegment buffer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            long n = (long) READ.invokeExact(state, fd, buffer, buffer.byteSize());
            return n < 0 ? -(int) ERRNO.get(state, 0L) : n;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** One write(2): the count, or -errno. */
    static long write(int fd, MemorySegment buffer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            long n = (long) WRITE.invokeExact(state, fd, buffer, buffer.byteSize());
            return n < 0 ? -(int) ERRNO.get(state, 0L) : n;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** One poll(2) of {@code fds} ({@code struct pollfd[n]}): the count, or -errno. */
    static int poll(MemorySegment fds, long n, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            int r = (int) POLL.invokeExact(state, fds, n, timeoutMillis);
            return r < 0 ? -(int) ERRNO.get(state, 0L) : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@return the calling thread's kernel id} */
    static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Sends {@code signal} to thread {@code tid} of this process: 0, or -1 when it is gone. */
    static int tgkill(int tid, int signal) {
        try {
            return (int) TGKILL.invokeExact((int) ProcessHandle.current().pid(), tid, signal);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
