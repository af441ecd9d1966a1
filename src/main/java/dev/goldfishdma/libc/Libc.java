package dev.goldfishdma.libc;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls the project makes, as FFM downcalls that capture {@code errno} right at the call.
 *
 * <p>Every call that fails throws an {@link ErrnoException} naming the call, its arguments of interest and
 * {@code errno}. Reading {@code errno} later, after the JVM has run code of its own, would be wrong: each
 * downcall is linked with {@link Linker.Option#captureCallState(String...) captureCallState("errno")}, and
 * the captured value is read from a per-thread segment, so a successful call allocates nothing.
 *
 * <p>Only the platform's default lookup is used, so glibc, musl and bionic all work. {@code ioctl} is
 * variadic in C and is linked as such ({@code firstVariadicArg(2)}): on x86_64 the variadic calling
 * convention differs from a fixed-arity one. Its request argument is {@code unsigned long} in glibc and
 * {@code int} in musl and bionic; it is passed as a 64-bit value holding the request zero-extended, which
 * lands in the same 64-bit register under both ABIs. glibc reads all of it, musl and bionic read its low
 * 32 bits, and the kernel takes the command as {@code unsigned int} either way, so both see the same
 * request.
 *
 * <p>Memory passed to {@link #read}, {@link #write} and {@link #ioctl} must be native (off-heap): heap
 * memory can only reach a downcall that does not block, and these may.
 */
public final class Libc {
    /** {@code mmap}'s failure value, {@code (void *) -1}. */
    public static final long MAP_FAILED = -1L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
            CALL_STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final AddressLayout C_STRING = ADDRESS;

    // One capture segment per thread, owned by that thread: the hot path allocates nothing.
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE_LAYOUT));

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, C_STRING, JAVA_INT, JAVA_INT), ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    private static final MethodHandle PWRITE = downcall("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), ERRNO);
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO);
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
    private static final MethodHandle MOUNT = downcall("mount",
            FunctionDescriptor.of(JAVA_INT, C_STRING, C_STRING, C_STRING, JAVA_LONG, C_STRING), ERRNO);
    private static final MethodHandle UMOUNT2 = downcall("umount2",
            FunctionDescriptor.of(JAVA_INT, C_STRING, JAVA_INT), ERRNO);
    private static final MethodHandle MEMFD_CREATE = downcall("memfd_create",
            FunctionDescriptor.of(JAVA_INT, C_STRING, JAVA_INT), ERRNO);
    private static final MethodHandle FTRUNCATE = downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO);
    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
    private static final MethodHandle MSYNC = downcall("msync",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
    private static final MethodHandle MLOCK = downcall("mlock",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    private static final MethodHandle MUNLOCK = downcall("munlock",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    private static final MethodHandle PIPE2 = downcall("pipe2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    private static final MethodHandle FCNTL = downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO, Linker.Option.firstVariadicArg(2));
    // prctl is variadic in C: options past the first are passed as unsigned long.
    private static final MethodHandle PRCTL = downcall("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO, Linker.Option.firstVariadicArg(1));
    // Critical: no thread-state transition, and heap segments allowed; see memmove.
    private static final MethodHandle MEMMOVE = downcall("memmove",
            FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(true));
    private static final MethodHandle GETUID = downcall("getuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETGID = downcall("getgid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle GETPAGESIZE = downcall("getpagesize", FunctionDescriptor.of(JAVA_INT));

    /** Whether the C library is glibc (it has {@code gnu_get_libc_version}). */
    public static final boolean GLIBC = LIBC.find("gnu_get_libc_version").isPresent();

    /** The system's page size in bytes, as {@code getpagesize()} reports it. */
    public static final long PAGE_SIZE = pageSize();

    private Libc() {
    }

    /** A downcall handle for C library function {@code name}; also used by the libc layer's other classes. */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library function not found: " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /**
     * A downcall handle can only throw unchecked exceptions (a closed arena, a wrong thread); those pass
     * through unchanged. Anything else would be a bug in the handle's type.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("unexpected checked exception from a downcall", t);
    }

    static MemorySegment callState() {
        return CALL_STATE.get();
    }

    static int errno(MemorySegment state) {
        return state.get(JAVA_INT, ERRNO_OFFSET);
    }

    /** One attempt at a downcall, given the thread's capture segment; returns the C function's result. */
    @FunctionalInterface
    private interface Attempt {
        long call(MemorySegment callState) throws Throwable;
    }

    /**
     * Makes {@code attempt} again for as long as it fails with {@code EINTR} (a signal arrived before the call
     * could finish), the one retry loop of this class.
     *
     * @return the call's result when it is not negative, else {@code -errno}
     */
    private static long retryOnEintr(Attempt attempt) {
        MemorySegment state = callState();
        while (true) {
            long r;
            try {
                r = attempt.call(state);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r >= 0) {
                return r;
            }
            int errno = errno(state);
            if (errno != Errno.EINTR) {
                return -errno;
            }
        }
    }

    private static void requireNative(MemorySegment segment, String what) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException(what + " must be a native (off-heap) memory segment");
        }
    }

    // ---- files -------------------------------------------------------------------------------------------

    /**
     * {@code open(path, flags, mode)}, retried on {@code EINTR}.
     *
     * @return the new file descriptor
     * @throws ErrnoException naming the path and flags
     */
    public static int open(String path, int flags, int mode) throws ErrnoException {
        Objects.requireNonNull(path, "path");
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("open: path contains a NUL character: " + path.replace("\0", "\\0"));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            long fd = retryOnEintr(state -> (int) OPEN.invokeExact(state, cPath, flags, mode));
            if (fd < 0) {
                throw new ErrnoException("open", "path=" + path + ", flags=" + OpenFlags.describe(flags), (int) -fd);
            }
            return (int) fd;
        }
    }

    /** {@code open(path, flags)} with mode 0. */
    public static int open(String path, int flags) throws ErrnoException {
        return open(path, flags, 0);
    }

    /**
     * {@code close(fd)}. Not retried on {@code EINTR}: on Linux the descriptor is released even then, and a
     * retry could close a descriptor another thread has just been given.
     */
    public static void close(int fd) throws ErrnoException {
        MemorySegment state = callState();
        int r;
        try {
            r = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0 && errno(state) != Errno.EINTR) {
            throw new ErrnoException("close", "fd=" + fd, errno(state));
        }
    }

    /**
     * One {@code read(fd, buf, buf.byteSize())}, retried on {@code EINTR}.
     *
     * @param buf native memory to read into
     * @return the number of bytes read, 0 at end of stream
     */
    public static long read(int fd, MemorySegment buf) throws ErrnoException {
        requireNative(buf, "read: buf");
        long n = retryOnEintr(state -> (long) READ.invokeExact(state, fd, buf, buf.byteSize()));
        if (n < 0) {
            throw new ErrnoException("read", "fd=" + fd + ", count=" + buf.byteSize(), (int) -n);
        }
        return n;
    }

    /**
     * Reads until {@code buf} is full or the stream ends.
     *
     * @return the number of bytes read; less than {@code buf.byteSize()} only at end of stream
     */
    public static long readFully(int fd, MemorySegment buf) throws ErrnoException {
        long done = 0;
        while (done < buf.byteSize()) {
            long n = read(fd, buf.asSlice(done));
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /**
     * One {@code write(fd, buf, buf.byteSize())}, retried on {@code EINTR}.
     *
     * @param buf native memory to write from
     * @return the number of bytes written, which may be less than asked
     */
    public static long write(int fd, MemorySegment buf) throws ErrnoException {
        requireNative(buf, "write: buf");
        long n = retryOnEintr(state -> (long) WRITE.invokeExact(state, fd, buf, buf.byteSize()));
        if (n < 0) {
            throw new ErrnoException("write", "fd=" + fd + ", count=" + buf.byteSize(), (int) -n);
        }
        return n;
    }

    /**
     * {@code pwrite(fd, buf, count, offset)}, retried on {@code EINTR}: a write that leaves the file position
     * alone, and so does not wait for the kernel's file-position lock, which read(2) and write(2) of a
     * regular file shared between threads take.
     *
     * @return the number of bytes written
     * @throws ErrnoException e.g. {@code ESPIPE} for a file without positions (a pipe, a stream)
     */
    public static long pwrite(int fd, MemorySegment buf, long offset) throws ErrnoException {
        requireNative(buf, "pwrite: buf");
        MemorySegment state = callState();
        while (true) {
            long n;
            try {
                n = (long) PWRITE.invokeExact(state, fd, buf, buf.byteSize(), offset);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n >= 0) {
                return n;
            }
            int errno = errno(state);
            if (errno != Errno.EINTR) {
                throw new ErrnoException("pwrite", "fd=" + fd + ", count=" + buf.byteSize() + ", offset=" + offset,
                        errno);
            }
        }
    }

    /** Writes all of {@code buf}, looping over partial writes. */
    public static void writeFully(int fd, MemorySegment buf) throws ErrnoException {
        long done = 0;
        while (done < buf.byteSize()) {
            done += write(fd, buf.asSlice(done));
        }
    }

    // ---- copying memory ----------------------------------------------------------------------------------

    /**
     * {@code memmove(dst, src, src.byteSize())}: all of {@code src} to the start of {@code dst}, with the C
     * library's copy, which may overlap, for sizes where it is faster than {@link MemorySegment#copy(
     * MemorySegment, long, MemorySegment, long, long)} (the device API's bulk copies choose, and say why). On
     * glibc for x86-64, {@code memcpy} and {@code memmove} are one and the same code.
     *
     * <p>It takes whole segments, not offsets: a caller passes slices, or segments made for the purpose, so
     * that nothing here slices a heap segment, a call the JIT does not always inline, which would then make
     * every call allocate.
     *
     * <p>Linked as a <em>critical</em> function ({@link Linker.Option#critical(boolean) critical(true)}): no
     * thread-state transition, so the call costs little more than a Java method, and heap segments (arrays)
     * may be passed. The price is that the thread cannot reach a safepoint during the call, so a garbage
     * collection waits for it: keep the length to what takes microseconds (a megabyte is about 40 µs). Both
     * segments' sessions are kept alive for the duration of the call, so a concurrent close of either waits,
     * as for any downcall.
     *
     * @throws IndexOutOfBoundsException if {@code src} is larger than {@code dst}
     * @throws IllegalArgumentException  if {@code dst} is read-only
     * @throws IllegalStateException     if either segment's session is closed
     * @throws WrongThreadException      if either segment is confined to another thread
     */
    public static void memmove(MemorySegment dst, MemorySegment src) {
        long length = src.byteSize();
        Objects.checkFromIndexSize(0, length, dst.byteSize());
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Attempt to write a read-only segment");
        }
        try {
            MEMMOVE.invokeExact(dst, src, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- ioctl ------------------------------------------------------------------------------------------

    /**
     * {@code ioctl(fd, request, arg)}, not retried: whether a request may be repeated is the driver's to say.
     *
     * @param request the request number, e.g. {@code 0xc0104700L}; only its low 32 bits reach the kernel
     * @param arg     the argument pointer; native memory, or {@link MemorySegment#NULL}
     * @return the call's non-negative result
     */
    public static int ioctl(int fd, long request, MemorySegment arg) throws ErrnoException {
        MemorySegment state = callState();
        int r;
        try {
            r = (int) IOCTL.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw ioctlFailure(fd, request, errno(state));
        }
        return r;
    }

    /**
     * Like {@link #ioctl(int, long, MemorySegment)}, but returns {@code -errno} instead of throwing, for
     * callers that expect some errors and must not pay for an exception (a probe, a benchmark).
     */
    public static int ioctlOrErrno(int fd, long request, MemorySegment arg) {
        MemorySegment state = callState();
        int r;
        try {
            r = (int) IOCTL.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r < 0 ? -errno(state) : r;
    }

    /** The exception {@link #ioctl} throws, for callers that use {@link #ioctlOrErrno} and then decide. */
    public static ErrnoException ioctlFailure(int fd, long request, int errno) {
        return new ErrnoException("ioctl", "fd=" + fd + ", request=" + IoctlRequest.describe(request), errno);
    }

    // ---- memory mappings --------------------------------------------------------------------------------

    /**
     * {@code mmap(NULL, length, prot, flags, fd, offset)}.
     *
     * @return the address of the mapping as a zero-length segment; the caller gives it a size and lifetime
     *         with {@link MemorySegment#reinterpret(long, Arena, java.util.function.Consumer)}
     * @throws ErrnoException when mmap returns {@code MAP_FAILED}
     */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) throws ErrnoException {
        MemorySegment state = callState();
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (address.address() == MAP_FAILED) {
            throw new ErrnoException("mmap", "length=" + length + ", prot=" + MmapFlags.describeProt(prot)
                    + ", flags=" + MmapFlags.describeFlags(flags) + ", fd=" + fd + ", offset=" + offset, errno(state));
        }
        return address;
    }

    /** {@code munmap(address, length)}. */
    public static void munmap(MemorySegment address, long length) throws ErrnoException {
        MemorySegment state = callState();
        int r;
        try {
            r = (int) MUNMAP.invokeExact(state, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("munmap", "address=0x" + Long.toHexString(address.address())
                    + ", length=" + length, errno(state));
        }
    }

    /**
     * {@code madvise(address, length, advice)}, retried on {@code EINTR} (which
     * {@link MmapFlags#MADV_POPULATE_WRITE} returns when a signal arrives while it faults pages in).
     *
     * @param advice one of the {@code MADV_*} values of {@link MmapFlags}
     * @throws ErrnoException e.g. {@code EFAULT} when populating meets a page that cannot be faulted in
     *                        (past the end of the mapped file: what a touch would turn into SIGBUS),
     *                        {@code ENOMEM} when the range is not mapped, {@code EINVAL} for an advice the
     *                        kernel does not know
     */
    public static void madvise(MemorySegment address, long length, int advice) throws ErrnoException {
        while (true) {
            MemorySegment state = callState();
            int r;
            try {
                r = (int) MADVISE.invokeExact(state, address, length, advice);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r == 0) {
                return;
            }
            int errno = errno(state);
            if (errno != Errno.EINTR) {
                throw new ErrnoException("madvise", "address=0x" + Long.toHexString(address.address())
                        + ", length=" + length + ", advice=" + MmapFlags.describeAdvice(advice), errno);
            }
        }
    }

    /**
     * {@code msync(address, length, flags)}: with {@link MmapFlags#MS_SYNC}, writes the range's dirty pages
     * back to the mapped file and waits for that.
     */
    public static void msync(MemorySegment address, long length, int flags) throws ErrnoException {
        MemorySegment state = callState();
        int r;
        try {
            r = (int) MSYNC.invokeExact(state, address, length, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("msync", "address=0x" + Long.toHexString(address.address())
                    + ", length=" + length + ", flags=0x" + Integer.toHexString(flags), errno(state));
        }
    }

    /**
     * {@code mlock(address, length)}: faults the range in and keeps it resident.
     *
     * @throws ErrnoException e.g. {@code ENOMEM} when a page cannot be faulted in or the range is not mapped,
     *                        {@code EAGAIN} or {@code EPERM} past {@code RLIMIT_MEMLOCK}
     */
    public static void mlock(MemorySegment address, long length) throws ErrnoException {
        MemorySegment state = callState();
        int r;
        try {
            r = (int) MLOCK.invokeExact(state, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("mlock", "address=0x" + Long.toHexString(address.address())
                    + ", length=" + length, errno(state));
        }
    }

    /**
     * {@code munlock(address, length)}. Also needed after a failed {@link #mlock}: the kernel marks the range
     * locked before faulting it in and leaves it marked when that fails.
     */
    public static void munlock(MemorySegment address, long length) throws ErrnoException {
        MemorySegment state = callState();
        int r;
        try {
            r = (int) MUNLOCK.invokeExact(state, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("munlock", "address=0x" + Long.toHexString(address.address())
                    + ", length=" + length, errno(state));
        }
    }

    // ---- poll -------------------------------------------------------------------------------------------

    /**
     * {@code poll(fds, nfds, timeoutMillis)}, retried on {@code EINTR} with the time still left, so that a
     * signal neither ends the wait early nor makes it longer than asked.
     *
     * @param fds           an array of {@link PollFd#LAYOUT} in native memory
     * @param timeoutMillis how long to wait at most; negative waits without limit
     * @return the number of entries with events, 0 on time-out
     */
    public static int poll(MemorySegment fds, long nfds, int timeoutMillis) throws ErrnoException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        long r = retryOnEintr(state -> {
            int wait = timeoutMillis < 0 ? -1 : millisLeft(deadline);
            return (int) POLL.invokeExact(state, fds, nfds, wait);
        });
        if (r < 0) {
            throw new ErrnoException("poll", "nfds=" + nfds + ", timeout=" + timeoutMillis, (int) -r);
        }
        return (int) r;
    }

    private static int millisLeft(long deadline) {
        long left = deadline - System.nanoTime();
        return left <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
    }

    // ---- mounts -----------------------------------------------------------------------------------------

    /** {@code mount(source, target, fstype, flags, data)}. */
    public static void mount(String source, String target, String fstype, long flags, String data)
            throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // A local, not a conditional expression in the call: as an argument of the signature-polymorphic
            // invokeExact, a conditional would be typed Object and fail the exact type check.
            MemorySegment cData = data == null ? MemorySegment.NULL : arena.allocateFrom(data);
            MemorySegment state = callState();
            int r;
            try {
                r = (int) MOUNT.invokeExact(state, arena.allocateFrom(source), arena.allocateFrom(target),
                        arena.allocateFrom(fstype), flags, cData);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("mount", "source=" + source + ", target=" + target + ", fstype=" + fstype
                        + ", flags=0x" + Long.toHexString(flags) + ", data=" + data, errno(state));
            }
        }
    }

    /** {@code umount2(target, flags)}. */
    public static void umount2(String target, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            int r;
            try {
                r = (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target), flags);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("umount2", "target=" + target + ", flags=0x" + Integer.toHexString(flags),
                        errno(state));
            }
        }
    }

    // ---- anonymous files and pipes ----------------------------------------------------------------------

    /**
     * {@code memfd_create(name, flags)}: an anonymous file in memory, of size 0 until
     * {@link #ftruncate}; the emulated device keeps its DMA regions in such files.
     */
    public static int memfdCreate(String name, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            int fd;
            try {
                fd = (int) MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), flags);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (fd < 0) {
                throw new ErrnoException("memfd_create", "name=" + name + ", flags=0x" + Integer.toHexString(flags),
                        errno(state));
            }
            return fd;
        }
    }

    /** {@code ftruncate(fd, length)}. */
    public static void ftruncate(int fd, long length) throws ErrnoException {
        MemorySegment state = callState();
        int r;
        try {
            r = (int) FTRUNCATE.invokeExact(state, fd, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("ftruncate", "fd=" + fd + ", length=" + length, errno(state));
        }
    }

    /**
     * {@code pipe2(fds, flags)}.
     *
     * @return the read end at index 0 and the write end at index 1
     */
    public static int[] pipe(int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            MemorySegment state = callState();
            int r;
            try {
                r = (int) PIPE2.invokeExact(state, fds, flags);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("pipe2", "flags=0x" + Integer.toHexString(flags), errno(state));
            }
            return fds.toArray(JAVA_INT);
        }
    }

    // ---- descriptors and identity ---------------------------------------------------------------------

    /**
     * {@code fcntl(fd, cmd, arg)} for the commands that take an int (e.g. {@code F_GETFL}, {@code F_SETFL},
     * {@code F_DUPFD_CLOEXEC}).
     *
     * @param command the command's name, for the message (e.g. {@code "F_SETFL"})
     * @return the call's result (flags, or a new descriptor)
     */
    public static int fcntl(int fd, int cmd, int arg, String command) throws ErrnoException {
        MemorySegment state = callState();
        int r;
        try {
            r = (int) FCNTL.invokeExact(state, fd, cmd, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("fcntl", "fd=" + fd + ", cmd=" + command + ", arg=0x" + Integer.toHexString(arg),
                    errno(state));
        }
        return r;
    }

    /**
     * {@code prctl(option, arg)} for the options that take one unsigned long argument, e.g.
     * {@code PR_SET_PDEATHSIG}.
     *
     * @param option  the {@code PR_*} option
     * @param arg     its argument
     * @param name    the option's name, for the message (e.g. {@code "PR_SET_PDEATHSIG"})
     * @return the call's result
     * @throws ErrnoException naming the option and its argument
     */
    public static int prctl(int option, long arg, String name) throws ErrnoException {
        MemorySegment state = callState();
        int r;
        try {
            r = (int) PRCTL.invokeExact(state, option, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("prctl", "option=" + name + ", arg=" + arg, errno(state));
        }
        return r;
    }

    /** {@code getuid()}: the real user id, as the kernel gives it (unsigned; 4294967295 is {@code -1}). */
    public static long getuid() {
        try {
            return Integer.toUnsignedLong((int) GETUID.invokeExact());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code getgid()}: the real group id (unsigned). */
    public static long getgid() {
        try {
            return Integer.toUnsignedLong((int) GETGID.invokeExact());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code strerror(errno)}, copied out at once; serialized because older C libraries share one buffer. */
    static synchronized String strerror(int errno) {
        MemorySegment text;
        try {
            text = (MemorySegment) STRERROR.invokeExact(errno);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return text.equals(MemorySegment.NULL) ? "Unknown error " + errno : text.reinterpret(4096).getString(0);
    }
}
