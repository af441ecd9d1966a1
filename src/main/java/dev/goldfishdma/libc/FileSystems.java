package dev.goldfishdma.libc;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.gen.libc.statfs;
import dev.goldfishdma.gen.libc.statx;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.OptionalLong;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Which file system, and which mount, an open descriptor is on: {@code fstatfs(2)} and {@code statx(2)} of
 * the descriptor itself ({@code AT_EMPTY_PATH}), so the answer is about the file that was opened, whatever
 * its path names now.
 *
 * <p>{@link #type} asks the file system: on FUSE that is a request to its server ({@code FUSE_STATFS}). The
 * mount ids come from the kernel's own records, with {@code AT_STATX_DONT_SYNC} so that no file system is
 * asked.
 */
public final class FileSystems {
    /** {@code fstatfs}'s {@code f_type} for every FUSE file system, {@code FUSE_SUPER_MAGIC} of {@code <linux/magic.h>}. */
    public static final long FUSE_SUPER_MAGIC = LibcConstants.FUSE_SUPER_MAGIC();

    /**
     * {@code STATX_MNT_ID_UNIQUE} of Linux 6.8's {@code <linux/stat.h>}: ask for the mount's 64-bit id, never
     * reused while the system runs. Written here because the headers the bindings are generated from (Linux
     * 6.1) predate it; a kernel that does not know it ignores the bit and leaves it out of {@code stx_mask}.
     */
    static final int STATX_MNT_ID_UNIQUE = 0x4000;

    private static final MethodHandle FSTATFS = Libc.downcall("fstatfs",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), Libc.ERRNO);
    private static final MethodHandle STATX = Libc.downcall("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), Libc.ERRNO);

    private FileSystems() {
    }

    /**
     * {@code fstatfs(fd)}'s {@code f_type}: the magic number of the file system {@code fd} is on, e.g.
     * {@link #FUSE_SUPER_MAGIC}.
     *
     * @throws ErrnoException e.g. {@code EBADF}; on FUSE also whatever the server answers instead of statistics
     */
    public static long type(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = statfs.allocate(arena);
            MemorySegment state = Libc.callState();
            int r;
            while (true) {
                try {
                    r = (int) FSTATFS.invokeExact(state, fd, buf);
                } catch (Throwable t) {
                    throw Libc.rethrow(t);
                }
                if (r == 0 || Libc.errno(state) != Errno.EINTR) {
                    break;
                }
            }
            if (r < 0) {
                throw new ErrnoException("fstatfs", "fd=" + fd, Libc.errno(state));
            }
            return statfs.f_type(buf);
        }
    }

    /**
     * The id of the mount {@code fd} is on, as {@code /proc/self/mountinfo} numbers mounts
     * ({@code statx}'s {@code STATX_MNT_ID}, Linux 5.8+); ids of unmounted mounts are given out again.
     *
     * @return the mount id, or empty when the kernel does not report it
     * @throws ErrnoException e.g. {@code EBADF}
     */
    public static OptionalLong mountId(int fd) throws ErrnoException {
        return statxMountId(fd, LibcConstants.STATX_MNT_ID());
    }

    /**
     * The 64-bit id of the mount {@code fd} is on ({@code statx}'s {@code STATX_MNT_ID_UNIQUE}, Linux 6.8+):
     * never given to another mount while the system runs, so it may stand for the mount in a cache.
     *
     * @return the unique mount id, or empty when the kernel does not report one
     * @throws ErrnoException e.g. {@code EBADF}
     */
    public static OptionalLong uniqueMountId(int fd) throws ErrnoException {
        return statxMountId(fd, STATX_MNT_ID_UNIQUE);
    }

    private static OptionalLong statxMountId(int fd, int mask) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = statx.allocate(arena);
            MemorySegment emptyPath = arena.allocateFrom("");
            int flags = LibcConstants.AT_EMPTY_PATH() | LibcConstants.AT_STATX_DONT_SYNC();
            MemorySegment state = Libc.callState();
            int r;
            try {
                r = (int) STATX.invokeExact(state, fd, emptyPath, flags, mask, buf);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("statx", "fd=" + fd + ", path=\"\", flags=AT_EMPTY_PATH|AT_STATX_DONT_SYNC, "
                        + "mask=0x" + Integer.toHexString(mask), Libc.errno(state));
            }
            return (statx.stx_mask(buf) & mask) != 0 ? OptionalLong.of(statx.stx_mnt_id(buf)) : OptionalLong.empty();
        }
    }
}
