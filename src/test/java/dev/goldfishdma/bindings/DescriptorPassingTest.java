package dev.goldfishdma.bindings;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.gen.libc.cmsghdr;
import dev.goldfishdma.gen.libc.iovec;
import dev.goldfishdma.gen.libc.msghdr;
import dev.goldfishdma.libc.Libc;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated socket constants and the {@code msghdr}, {@code cmsghdr} and {@code iovec} layouts, used as
 * a descriptor is received from {@code fusermount3}: a descriptor sent over a socket pair with
 * {@code SCM_RIGHTS} arrives and works.
 */
class DescriptorPassingTest {
    private static final int AF_UNIX = LibcConstants.AF_UNIX();
    private static final int SOCK_CLOEXEC = LibcConstants.SOCK_CLOEXEC();
    // CMSG_ALIGN, CMSG_LEN and CMSG_SPACE are function-like macros, which jextract does not translate.
    private static final long ALIGN = LibcConstants.C_LONG.byteSize();
    private static final long DATA = align(cmsghdr.sizeof());

    private static long align(long length) {
        return (length + ALIGN - 1) & -ALIGN;
    }

    private static int cloexec(int fd) {
        return NativeCalls.fcntl(fd, LibcConstants.F_GETFD()) & LibcConstants.FD_CLOEXEC();
    }

    /** A message of one byte carrying {@code fd} as {@code SCM_RIGHTS}, or a buffer for receiving one. */
    private static MemorySegment message(Arena arena, int fd) {
        MemorySegment payload = arena.allocate(1);
        payload.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 'f');
        MemorySegment iov = iovec.allocate(arena);
        iovec.iov_base(iov, payload);
        iovec.iov_len(iov, 1);
        long space = DATA + align(JAVA_INT.byteSize());
        MemorySegment control = arena.allocate(space, ALIGN);
        if (fd >= 0) {
            cmsghdr.cmsg_len(control, DATA + JAVA_INT.byteSize());
            cmsghdr.cmsg_level(control, LibcConstants.SOL_SOCKET());
            cmsghdr.cmsg_type(control, LibcConstants.SCM_RIGHTS());
            control.set(JAVA_INT, DATA, fd);
        }
        MemorySegment msg = msghdr.allocate(arena);
        msghdr.msg_iov(msg, iov);
        msghdr.msg_iovlen(msg, 1);
        msghdr.msg_control(msg, control);
        msghdr.msg_controllen(msg, space);
        return msg;
    }

    /** Sends the write end of a pipe, receives it with {@code flags}, and checks it writes into the pipe. */
    private static int passPipeEnd(Arena arena, int recvFlags) throws Exception {
        int[] sockets = NativeCalls.socketpair(AF_UNIX, LibcConstants.SOCK_STREAM() | SOCK_CLOEXEC);
        assertEquals(2, sockets.length, "socketpair failed: errno " + -sockets[0]);
        int[] pipe = Libc.pipe(0);
        try {
            assertEquals(1, NativeCalls.sendmsg(sockets[0], message(arena, pipe[1]), 0));
            MemorySegment received = message(arena, -1);
            assertEquals(1, NativeCalls.recvmsg(sockets[1], received, recvFlags));
            MemorySegment control = msghdr.msg_control(received).reinterpret(msghdr.msg_controllen(received));
            assertEquals(DATA + JAVA_INT.byteSize(), cmsghdr.cmsg_len(control));
            assertEquals(LibcConstants.SOL_SOCKET(), cmsghdr.cmsg_level(control));
            assertEquals(LibcConstants.SCM_RIGHTS(), cmsghdr.cmsg_type(control));
            int fd = control.get(JAVA_INT, DATA);
            assertTrue(fd >= 0 && fd != pipe[1], "a new descriptor: " + fd);
            try {
                Libc.writeFully(fd, arena.allocateFrom("x", StandardCharsets.US_ASCII).asSlice(0, 1));
                MemorySegment got = arena.allocate(1);
                assertEquals(1, Libc.read(pipe[0], got));
                assertEquals('x', got.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
                return cloexec(fd);
            } finally {
                Libc.close(fd);
            }
        } finally {
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
            Libc.close(sockets[0]);
            Libc.close(sockets[1]);
        }
    }

    @Test
    void aDescriptorSentWithScmRightsArrivesAndWorks() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(0, passPipeEnd(arena, 0), "received without MSG_CMSG_CLOEXEC");
            assertEquals(LibcConstants.FD_CLOEXEC(), passPipeEnd(arena, LibcConstants.MSG_CMSG_CLOEXEC()),
                    "received with MSG_CMSG_CLOEXEC");
        }
    }

    @Test
    void sockCloexecMarksBothEndsCloseOnExec() throws Exception {
        int[] sockets = NativeCalls.socketpair(AF_UNIX, LibcConstants.SOCK_STREAM() | SOCK_CLOEXEC);
        int[] plain = NativeCalls.socketpair(AF_UNIX, LibcConstants.SOCK_STREAM());
        try {
            assertEquals(LibcConstants.FD_CLOEXEC(), cloexec(sockets[0]));
            assertEquals(LibcConstants.FD_CLOEXEC(), cloexec(sockets[1]));
            assertEquals(0, cloexec(plain[0]));
        } finally {
            for (int fd : new int[] {sockets[0], sockets[1], plain[0], plain[1]}) {
                Libc.close(fd);
            }
        }
    }

    /** Writes "ab" then "cd" into one end and returns how many bytes one read of the other end gives. */
    private static long readAfterTwoWrites(int type) throws Exception {
        int[] sockets = NativeCalls.socketpair(AF_UNIX, type | SOCK_CLOEXEC);
        assertEquals(2, sockets.length, "socketpair failed: errno " + -sockets[0]);
        try (Arena arena = Arena.ofConfined()) {
            Libc.writeFully(sockets[0], arena.allocateFrom("ab", StandardCharsets.US_ASCII).asSlice(0, 2));
            Libc.writeFully(sockets[0], arena.allocateFrom("cd", StandardCharsets.US_ASCII).asSlice(0, 2));
            return Libc.read(sockets[1], arena.allocate(16));
        } finally {
            Libc.close(sockets[0]);
            Libc.close(sockets[1]);
        }
    }

    @Test
    void sockSeqpacketKeepsMessageBoundariesAndSockStreamDoesNot() throws Exception {
        assertEquals(2, readAfterTwoWrites(LibcConstants.SOCK_SEQPACKET()));
        assertEquals(4, readAfterTwoWrites(LibcConstants.SOCK_STREAM()));
    }
}
