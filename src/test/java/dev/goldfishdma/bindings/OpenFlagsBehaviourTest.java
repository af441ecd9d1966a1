package dev.goldfishdma.bindings;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated {@code open(2)} flags against what the running kernel does with them. {@code O_DIRECTORY}
 * and {@code O_NOFOLLOW} are taken from {@link OpenFlags}, which picks the binding of this architecture.
 * {@code O_NOCTTY} is not checked: it has no effect without a terminal to become the controlling one.
 */
class OpenFlagsBehaviourTest {
    private static final int O_RDONLY = LibcConstants.O_RDONLY();
    private static final int O_WRONLY = LibcConstants.O_WRONLY();
    private static final int O_RDWR = LibcConstants.O_RDWR();
    private static final int O_ACCMODE = LibcConstants.O_ACCMODE();

    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static int errnoOf(ThrowingCall call) {
        return assertThrows(ErrnoException.class, call::run).errno();
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void oDirectoryRefusesARegularFileWithEnotdirAndOpensADirectory() throws Exception {
        Path file = file("file", "x");
        assertEquals(Errno.ENOTDIR, errnoOf(() -> Libc.open(file.toString(), O_RDONLY | OpenFlags.O_DIRECTORY)));
        Libc.close(Libc.open(dir.toString(), O_RDONLY | OpenFlags.O_DIRECTORY));
    }

    @Test
    void oNofollowRefusesASymbolicLinkWithEloopAndOpensItsTarget() throws Exception {
        Path file = file("file", "x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        assertEquals(LibcConstants.ELOOP(), errnoOf(() -> Libc.open(link.toString(), O_RDONLY | OpenFlags.O_NOFOLLOW)));
        Libc.close(Libc.open(file.toString(), O_RDONLY | OpenFlags.O_NOFOLLOW));
    }

    @Test
    void oCreatCreatesAndWithOExclRefusesAnExistingFile() throws Exception {
        Path created = dir.resolve("created");
        Libc.close(Libc.open(created.toString(), O_WRONLY | LibcConstants.O_CREAT(), 0600));
        assertTrue(Files.isRegularFile(created));
        assertEquals(LibcConstants.EEXIST(), errnoOf(() ->
                Libc.open(created.toString(), O_WRONLY | LibcConstants.O_CREAT() | LibcConstants.O_EXCL(), 0600)));
    }

    @Test
    void oTruncEmptiesTheFileAndOAppendWritesAtItsEnd() throws Exception {
        Path truncated = file("truncated", "hello");
        Libc.close(Libc.open(truncated.toString(), O_WRONLY | LibcConstants.O_TRUNC()));
        assertEquals(0, Files.size(truncated));

        Path appended = file("appended", "hello");
        int fd = Libc.open(appended.toString(), O_WRONLY | LibcConstants.O_APPEND());
        try (Arena arena = Arena.ofConfined()) {
            Libc.writeFully(fd, arena.allocateFrom("!", StandardCharsets.US_ASCII).asSlice(0, 1));
        } finally {
            Libc.close(fd);
        }
        assertEquals("hello!", Files.readString(appended));
    }

    @Test
    void accessModesAllowWhatTheySayAndShowInFGetfl() throws Exception {
        Path file = file("file", "data");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4);
            int readOnly = Libc.open(file.toString(), O_RDONLY);
            int writeOnly = Libc.open(file.toString(), O_WRONLY);
            int readWrite = Libc.open(file.toString(), O_RDWR);
            try {
                assertEquals(LibcConstants.EBADF(), errnoOf(() -> Libc.write(readOnly, buf)));
                assertEquals(LibcConstants.EBADF(), errnoOf(() -> Libc.read(writeOnly, buf)));
                assertEquals(4, Libc.read(readWrite, buf));
                assertEquals(4, Libc.write(readWrite, buf));
                assertEquals(O_RDONLY, NativeCalls.fcntl(readOnly, LibcConstants.F_GETFL()) & O_ACCMODE);
                assertEquals(O_WRONLY, NativeCalls.fcntl(writeOnly, LibcConstants.F_GETFL()) & O_ACCMODE);
                assertEquals(O_RDWR, NativeCalls.fcntl(readWrite, LibcConstants.F_GETFL()) & O_ACCMODE);
            } finally {
                Libc.close(readOnly);
                Libc.close(writeOnly);
                Libc.close(readWrite);
            }
        }
        assertEquals(0, (O_RDONLY | O_WRONLY | O_RDWR) & ~O_ACCMODE, "the access modes lie within O_ACCMODE");
    }

    @Test
    void oNonblockMakesAReadOfAnEmptyPipeFailWithEagain() throws Exception {
        int[] pipe = Libc.pipe(OpenFlags.O_NONBLOCK);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(Errno.EAGAIN, errnoOf(() -> Libc.read(pipe[0], arena.allocate(1))));
            assertEquals(OpenFlags.O_NONBLOCK, NativeCalls.fcntl(pipe[0], LibcConstants.F_GETFL()) & OpenFlags.O_NONBLOCK);
            assertEquals(OpenFlags.O_NONBLOCK, ProcSelf.fdinfoFlags(pipe[0]) & OpenFlags.O_NONBLOCK);
        } finally {
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
        }
        int[] blocking = Libc.pipe(0);
        try {
            assertEquals(0, ProcSelf.fdinfoFlags(blocking[0]) & OpenFlags.O_NONBLOCK);
        } finally {
            Libc.close(blocking[0]);
            Libc.close(blocking[1]);
        }
    }

    @Test
    void oCloexecSetsTheCloseOnExecDescriptorFlag() throws Exception {
        Path file = file("file", "x");
        int withFlag = Libc.open(file.toString(), O_RDONLY | OpenFlags.O_CLOEXEC);
        int without = Libc.open(file.toString(), O_RDONLY);
        try {
            assertEquals(LibcConstants.FD_CLOEXEC(), NativeCalls.fcntl(withFlag, LibcConstants.F_GETFD()));
            assertEquals(0, NativeCalls.fcntl(without, LibcConstants.F_GETFD()));
            assertEquals(OpenFlags.O_CLOEXEC, ProcSelf.fdinfoFlags(withFlag) & OpenFlags.O_CLOEXEC);
            assertEquals(0, ProcSelf.fdinfoFlags(without) & OpenFlags.O_CLOEXEC);
        } finally {
            Libc.close(withFlag);
            Libc.close(without);
        }
    }

    @Test
    void oSyncAndODsyncAreKeptAsFileStatusFlags() throws Exception {
        Path file = file("file", "x");
        for (int flag : new int[] {LibcConstants.O_SYNC(), LibcConstants.O_DSYNC()}) {
            int fd = Libc.open(file.toString(), O_WRONLY | flag);
            try {
                assertEquals(flag, NativeCalls.fcntl(fd, LibcConstants.F_GETFL()) & flag);
            } finally {
                Libc.close(fd);
            }
        }
        assertNotEquals(LibcConstants.O_SYNC(), LibcConstants.O_DSYNC());
    }

    @Test
    void oPathGivesADescriptorThatCannotRead() throws Exception {
        Path file = file("file", "x");
        int fd = Libc.open(file.toString(), LibcConstants.O_PATH());
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(LibcConstants.EBADF(), errnoOf(() -> Libc.read(fd, arena.allocate(1))));
            assertEquals(LibcConstants.O_PATH(), NativeCalls.fcntl(fd, LibcConstants.F_GETFL()) & LibcConstants.O_PATH());
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void describeNamesTheArchitectureDependentFlags() {
        assertEquals("O_RDONLY|O_DIRECTORY|O_NOFOLLOW",
                OpenFlags.describe(O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_NOFOLLOW));
    }
}
