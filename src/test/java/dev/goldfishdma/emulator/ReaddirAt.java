package dev.goldfishdma.emulator;

import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Lists a directory from a chosen offset, as {@code seekdir} does: lseek(2) on the directory, then
 * getdents64(2), which the kernel answers with READDIR at that offset. Java's directory streams cannot seek.
 */
final class ReaddirAt {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle LSEEK = downcall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG,
            JAVA_INT));
    private static final MethodHandle GETDENTS64 = downcall("getdents64",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final int SEEK_SET = 0;

    private ReaddirAt() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    /** The names listed from {@code offset} on, in order. */
    static List<String> names(Path dir, long offset) throws Throwable {
        int fd = Libc.open(dir.toString(), OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            long at = (long) LSEEK.invokeExact(fd, offset, SEEK_SET);
            if (at != offset) {
                throw new AssertionError("lseek(" + dir + ", " + offset + ") returned " + at);
            }
            MemorySegment buffer = arena.allocate(4096, 8);
            List<String> names = new ArrayList<>();
            long n;
            while ((n = (long) GETDENTS64.invokeExact(fd, buffer, buffer.byteSize())) > 0) {
                // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name
                for (long pos = 0; pos < n; ) {
                    int length = Short.toUnsignedInt(buffer.get(JAVA_SHORT, pos + 16));
                    names.add(buffer.getString(pos + 19));
                    pos += length;
                }
            }
            if (n < 0) {
                throw new AssertionError("getdents64 failed on " + dir + " at offset " + offset);
            }
            return names;
        } finally {
            Libc.close(fd);
        }
    }
}
