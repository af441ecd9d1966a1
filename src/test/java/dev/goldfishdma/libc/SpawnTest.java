package dev.goldfishdma.libc;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** posix_spawn with chosen descriptors, waitpid, and the descriptor passing that fusermount3 needs of them. */
class SpawnTest {
    private static final Path SH = Path.of("/bin/sh");

    @Test
    void theChildHasExactlyTheDescriptorsChosen() throws Exception {
        Capabilities.require(Spawn.closesOtherDescriptors(),
                "this C library has no posix_spawn_file_actions_addclosefrom_np: the child also inherits "
                        + "descriptors that are not close-on-exec");
        int[] out = Libc.pipe(OpenFlags.O_CLOEXEC);
        int[] socket = DescriptorPassing.socketPair(LibcConstants.SOCK_STREAM());
        // A descriptor of this process that is not close-on-exec: the child must not get it either.
        int inheritable = Libc.open("/dev/null", OpenFlags.O_RDONLY);
        try {
            int pid = Spawn.start(SH, List.of("sh", "-c", "ls /proc/$$/fd; echo \"$GREETING\" >&3"),
                    Map.of("GREETING", "over fd 3"), Spawn.DEV_NULL, out[1], out[1], socket[1]);
            Libc.close(out[1]);
            Libc.close(socket[1]);
            String listing = readAll(out[0]);
            assertEquals(0, Spawn.waitFor(pid));
            assertEquals(List.of("0", "1", "2", "3"), List.of(listing.strip().split("\\s+")), listing);
            assertEquals("over fd 3\n", readAll(socket[0]));
        } finally {
            Libc.close(out[0]);
            Libc.close(socket[0]);
            Libc.close(inheritable);
        }
    }

    @Test
    void descriptorsSwappedOnTheWayArriveIntact() throws Exception {
        // The child's lo comes from this process's hi and its hi from lo. The copies are made in order in the
        // child: done naively, the copy onto lo would be taken again for hi.
        int[] first = Libc.pipe(OpenFlags.O_CLOEXEC);
        int[] second = Libc.pipe(OpenFlags.O_CLOEXEC);
        int lo = Math.min(first[1], second[1]);
        int hi = Math.max(first[1], second[1]);
        int[] descriptors = new int[hi + 1];
        java.util.Arrays.fill(descriptors, Spawn.DEV_NULL);
        descriptors[lo] = hi;
        descriptors[hi] = lo;
        try {
            // dash redirects only descriptors 0-9: write through /proc instead.
            int pid = Spawn.start(SH, List.of("sh", "-c", "echo to-lo > /proc/$$/fd/" + lo + "; echo to-hi > /proc/$$/fd/"
                    + hi), Map.of(), descriptors);
            Libc.close(first[1]);
            Libc.close(second[1]);
            assertEquals(0, Spawn.waitFor(pid));
            int loPipe = first[1] == lo ? first[0] : second[0];
            int hiPipe = first[1] == hi ? first[0] : second[0];
            assertEquals("to-lo\n", readAll(hiPipe), "the child's " + lo + " is this process's " + hi);
            assertEquals("to-hi\n", readAll(loPipe), "the child's " + hi + " is this process's " + lo);
        } finally {
            Libc.close(first[0]);
            Libc.close(second[0]);
        }
    }

    @Test
    void waitForGivesTheExitStatusOr128PlusTheSignal() throws Exception {
        assertEquals(7, Spawn.waitFor(Spawn.start(SH, List.of("sh", "-c", "exit 7"), Map.of())));
        assertEquals(128 + LibcConstants.SIGKILL(), Spawn.waitFor(Spawn.start(SH, List.of("sh", "-c", "kill -KILL $$"),
                Map.of())));
    }

    @Test
    void aMissingProgramIsEnoentNamingIt() {
        Path missing = Path.of("/nonexistent/fusermount3");
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> Spawn.start(missing, List.of("fusermount3"), Map.of(), Spawn.DEV_NULL));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().startsWith("posix_spawn(path=" + missing), e.getMessage());
    }

    @Test
    void aPeerThatClosesWithoutSendingGivesNoDescriptor() throws Exception {
        int[] socket = DescriptorPassing.socketPair(LibcConstants.SOCK_STREAM());
        Libc.close(socket[1]);
        try {
            assertEquals(-1, DescriptorPassing.receiveDescriptor(socket[0]));
        } finally {
            Libc.close(socket[0]);
        }
    }

    @Test
    void aMessageWithoutADescriptorIsAnError() throws Exception {
        int[] socket = DescriptorPassing.socketPair(LibcConstants.SOCK_STREAM());
        try (Arena arena = Arena.ofConfined()) {
            Libc.writeFully(socket[1], arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 0));
            IOException e = assertThrows(IOException.class, () -> DescriptorPassing.receiveDescriptor(socket[0]));
            assertTrue(e.getMessage().contains("expected one descriptor (SCM_RIGHTS), got a 1-byte message with 0 "
                    + "bytes of control data"), e.getMessage());
        } finally {
            Libc.close(socket[0]);
            Libc.close(socket[1]);
        }
    }

    private static String readAll(int fd) throws ErrnoException {
        StringBuilder text = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            long n;
            while ((n = Libc.read(fd, buffer)) > 0) {
                text.append(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            }
        }
        return text.toString();
    }
}
