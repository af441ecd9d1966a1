package dev.goldfishdma.libc;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.gen.libc.cmsghdr;
import dev.goldfishdma.gen.libc.iovec;
import dev.goldfishdma.gen.libc.msghdr;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Passing an open descriptor between processes over a Unix socket ({@code SCM_RIGHTS}): the socket pair
 * and the receiving side, as a program that lets another one open a file for it needs (the way
 * {@code fusermount3} hands over {@code /dev/fuse}).
 *
 * <p>The control-message arithmetic follows {@code CMSG_ALIGN}, {@code CMSG_SPACE} and {@code CMSG_DATA},
 * function-like macros that no binding can carry: a control message is a {@code struct cmsghdr} padded to
 * the alignment of {@code size_t}, then its data, padded the same way.
 */
public final class DescriptorPassing {
    private static final MethodHandle SOCKETPAIR = Libc.downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), Libc.ERRNO);
    private static final MethodHandle RECVMSG = Libc.downcall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), Libc.ERRNO);

    private static final long CMSG_ALIGNMENT = JAVA_LONG.byteSize(); // sizeof(size_t)
    private static final long HEADER = align(cmsghdr.sizeof());
    private static final long ONE_DESCRIPTOR_LEN = HEADER + JAVA_INT.byteSize();               // CMSG_LEN(sizeof(int))
    private static final long ONE_DESCRIPTOR_SPACE = HEADER + align(JAVA_INT.byteSize());      // CMSG_SPACE(sizeof(int))
    private static final int MSG_CTRUNC = 0x8;

    private DescriptorPassing() {
    }

    private static long align(long length) {
        return (length + CMSG_ALIGNMENT - 1) & -CMSG_ALIGNMENT;
    }

    /**
     * {@code socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0)}: two connected sockets, close-on-exec.
     *
     * @param type {@code SOCK_STREAM} or {@code SOCK_SEQPACKET}
     */
    public static int[] socketPair(int type) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            MemorySegment state = Libc.callState();
            int r;
            try {
                r = (int) SOCKETPAIR.invokeExact(state, LibcConstants.AF_UNIX(), type | LibcConstants.SOCK_CLOEXEC(),
                        0, fds);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("socketpair", "domain=AF_UNIX, type=" + type + "|SOCK_CLOEXEC",
                        Libc.errno(state));
            }
            return fds.toArray(JAVA_INT);
        }
    }

    /**
     * Waits for one message on {@code socket} and takes the one descriptor it carries ({@code SCM_RIGHTS},
     * sent with at least one byte of data, as {@code unix(7)} requires). The descriptor arrives
     * close-on-exec ({@code MSG_CMSG_CLOEXEC}); it is the caller's to close.
     *
     * @return the descriptor, or -1 when the peer closed its end without sending anything
     * @throws ErrnoException when {@code recvmsg} fails
     * @throws IOException    when a message came without exactly one descriptor
     */
    public static int receiveDescriptor(int socket) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(1);
            MemorySegment iov = iovec.allocate(arena);
            iovec.iov_base(iov, data);
            iovec.iov_len(iov, data.byteSize());
            MemorySegment control = arena.allocate(ONE_DESCRIPTOR_SPACE, CMSG_ALIGNMENT);
            MemorySegment message = msghdr.allocate(arena);
            msghdr.msg_iov(message, iov);
            msghdr.msg_iovlen(message, 1);
            msghdr.msg_control(message, control);
            msghdr.msg_controllen(message, control.byteSize());
            MemorySegment state = Libc.callState();
            long n;
            do {
                try {
                    n = (long) RECVMSG.invokeExact(state, socket, message, LibcConstants.MSG_CMSG_CLOEXEC());
                } catch (Throwable t) {
                    throw Libc.rethrow(t);
                }
            } while (n < 0 && Libc.errno(state) == Errno.EINTR);
            if (n < 0) {
                throw new ErrnoException("recvmsg", "fd=" + socket + ", flags=MSG_CMSG_CLOEXEC", Libc.errno(state));
            }
            if (n == 0) {
                return -1;
            }
            boolean oneDescriptor = msghdr.msg_controllen(message) >= ONE_DESCRIPTOR_LEN
                    && cmsghdr.cmsg_level(control) == LibcConstants.SOL_SOCKET()
                    && cmsghdr.cmsg_type(control) == LibcConstants.SCM_RIGHTS()
                    && cmsghdr.cmsg_len(control) == ONE_DESCRIPTOR_LEN;
            if (!oneDescriptor || (msghdr.msg_flags(message) & MSG_CTRUNC) != 0) {
                // More was sent than fits (MSG_CTRUNC): the kernel closed what did not fit; close what did.
                if (oneDescriptor) {
                    Libc.close(control.get(JAVA_INT, HEADER));
                }
                throw new IOException("recvmsg(fd=" + socket + "): expected one descriptor (SCM_RIGHTS), got a "
                        + n + "-byte message with " + msghdr.msg_controllen(message) + " bytes of control data"
                        + ((msghdr.msg_flags(message) & MSG_CTRUNC) != 0 ? ", truncated" : ""));
            }
            return control.get(JAVA_INT, HEADER);
        }
    }
}
