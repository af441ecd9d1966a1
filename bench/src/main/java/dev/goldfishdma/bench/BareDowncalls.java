package dev.goldfishdma.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The baselines' own downcalls, linked here rather than taken from the library: the least an FFM caller can
 * do for the same C call, so that the library's cost above it shows.
 */
final class BareDowncalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    /**
     * {@code int ioctl(int fd, unsigned long request, ...)} exactly as the library links it (variadic from the
     * third argument, errno captured), so the two differ only in what the library does around the call.
     */
    static final MethodHandle IOCTL = LINKER.downcallHandle(symbol("ioctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));

    /**
     * {@code memcpy(dst, src, n)} with the pointers passed as plain 64-bit addresses and the result ignored,
     * which the LP64 calling convention allows: no segment is made per call, as in the C peer's bare memcpy.
     * Critical ({@link Linker.Option#critical(boolean)}): no thread-state transition, the cheapest downcall
     * there is, and right for a call that never blocks.
     */
    static final MethodHandle MEMCPY = LINKER.downcallHandle(symbol("memcpy"),
            FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.critical(false));

    /**
     * {@code memcpy(dst, src, n)} taking segments, critical with heap access allowed: the only way a downcall
     * reaches a Java array without copying it first. The caller slices the segments per call.
     */
    static final MethodHandle MEMCPY_HEAP = LINKER.downcallHandle(symbol("memcpy"),
            FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(true));

    private BareDowncalls() {
    }

    /** A capture segment for {@link #IOCTL}, made once per benchmark state rather than per call. */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment callState) {
        return callState.get(JAVA_INT, ERRNO_OFFSET);
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library function not found: " + name));
    }
}
