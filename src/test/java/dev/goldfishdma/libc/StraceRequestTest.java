package dev.goldfishdma.libc;

import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What reaches the kernel, as strace sees it: the variadic ioctl passes the request number intact. */
class StraceRequestTest {

    /** Issues GOLDFISH_DMA_IOC_LOCK on /dev/null and prints the errno name it got. */
    public static final class LockOnDevNull {
        public static void main(String[] args) throws Exception {
            int fd = Libc.open("/dev/null", OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
            try (Arena arena = Arena.ofConfined()) {
                Libc.ioctl(fd, GoldfishDma.GOLDFISH_DMA_IOC_LOCK(), arena.allocate(16));
                System.out.println("no error");
            } catch (ErrnoException e) {
                System.out.println("errno=" + e.errnoName() + " fd=" + fd);
            } finally {
                Libc.close(fd);
            }
        }
    }

    @Test
    void lockRequestReachesTheKernelAsIowrG0Size16(@TempDir Path dir) throws Exception {
        Path strace = Capabilities.onPath("strace");
        Capabilities.require(strace != null, "strace is not installed");
        Path trace = dir.resolve("trace.txt");
        List<String> command = new ArrayList<>(List.of(strace.toString(), "-f", "-e", "trace=ioctl",
                "-o", trace.toString()));
        command.addAll(Capabilities.javaCommand(LockOnDevNull.class.getName()));
        String output = Capabilities.run(command, 120);
        Capabilities.require(!output.contains("PTRACE_TRACEME") && !output.contains("Operation not permitted"),
                "ptrace is not permitted here: " + output);
        assertTrue(output.contains("errno=ENOTTY"), output);
        String fd = output.substring(output.indexOf(" fd=") + 4).trim();

        List<String> lines = Files.readAllLines(trace).stream()
                .filter(l -> l.contains("ioctl(" + fd + ", ")).toList();
        assertEquals(1, lines.size(), "ioctl calls on fd " + fd + ": " + lines);
        String line = lines.getFirst();
        assertTrue(line.contains("ioctl(" + fd + ", _IOC(_IOC_READ|_IOC_WRITE, 0x47, 0, 0x10), "), line);
        assertTrue(line.contains("= -1 ENOTTY"), line);
    }
}
