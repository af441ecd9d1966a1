package dev.goldfishdma.bindings;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.PollFd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The generated {@code poll(2)} events, {@code FIONREAD} and {@code S_IF*} file types against the kernel. */
class DescriptorConstantsTest {
    // A descriptor number far above any this process has open.
    private static final int NOT_OPEN = 0x3fff_ffff;

    @TempDir
    Path dir;

    private static short pollOnce(Arena arena, int fd, short events) throws Exception {
        MemorySegment fds = arena.allocate(PollFd.LAYOUT);
        PollFd.set(fds, 0, fd, events);
        Libc.poll(fds, 1, 0);
        return PollFd.revents(fds, 0);
    }

    @Test
    void pollReportsEachEventAsTheKernelSeesThePipe() throws Exception {
        short inOut = (short) (PollFd.POLLIN | PollFd.POLLOUT);
        try (Arena arena = Arena.ofConfined()) {
            int[] pipe = Libc.pipe(0);
            assertEquals(PollFd.POLLOUT, pollOnce(arena, pipe[1], inOut), "an empty pipe can be written");
            assertEquals(0, pollOnce(arena, pipe[0], inOut), "an empty pipe has nothing to read");
            Libc.writeFully(pipe[1], arena.allocate(3));
            assertEquals(PollFd.POLLIN, pollOnce(arena, pipe[0], inOut), "three bytes to read");
            Libc.close(pipe[1]);
            assertEquals(PollFd.POLLIN | PollFd.POLLHUP, pollOnce(arena, pipe[0], inOut), "writer gone, data left");
            Libc.close(pipe[0]);

            int[] other = Libc.pipe(0);
            Libc.close(other[0]);
            assertEquals(PollFd.POLLOUT | PollFd.POLLERR, pollOnce(arena, other[1], inOut), "reader gone");
            Libc.close(other[1]);

            assertEquals(PollFd.POLLNVAL, pollOnce(arena, NOT_OPEN, inOut), "not an open descriptor");
        }
    }

    @Test
    void fionreadCountsTheBytesWaitingInAPipe() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            int[] pipe = Libc.pipe(0);
            try {
                Libc.writeFully(pipe[1], arena.allocate(5));
                MemorySegment count = arena.allocate(JAVA_INT);
                Libc.ioctl(pipe[0], LibcConstants.FIONREAD(), count);
                assertEquals(5, count.get(JAVA_INT, 0));
            } finally {
                Libc.close(pipe[0]);
                Libc.close(pipe[1]);
            }
        }
    }

    @Test
    void fileTypesAreTheTypeBitsOfStMode() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        int mask = LibcConstants.S_IFMT();
        assertEquals(LibcConstants.S_IFDIR(), (int) Files.getAttribute(dir, "unix:mode") & mask);
        assertEquals(LibcConstants.S_IFREG(), (int) Files.getAttribute(file, "unix:mode") & mask);
        assertEquals(LibcConstants.S_IFCHR(), (int) Files.getAttribute(Path.of("/dev/null"), "unix:mode") & mask);
    }
}
