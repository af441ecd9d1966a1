package dev.goldfishdma.bindings;

import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.emulator.fuse.gen.fuse_backing_map;
import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.IoctlRequest;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The FUSE binding's {@code /dev/fuse} ioctl requests and its protocol numbers past the 6.1 header
 * (passthrough, protocol 7.40), against their definitions and the running kernel.
 */
class FuseBindingsTest {
    private static final int MAGIC = Fuse.FUSE_DEV_IOC_MAGIC();
    private static final long U32 = JAVA_INT.byteSize();

    @Test
    void devIocRequestsAreIorAndIowOfTheirArgumentsSize() {
        assertEquals(229, MAGIC);
        assertEquals(IoctlRequest.ioc(IoctlRequest.IOC_READ, MAGIC, 0, U32), Fuse.FUSE_DEV_IOC_CLONE());
        assertEquals(IoctlRequest.ioc(IoctlRequest.IOC_WRITE, MAGIC, 1, fuse_backing_map.sizeof()),
                Fuse.FUSE_DEV_IOC_BACKING_OPEN());
        assertEquals(IoctlRequest.ioc(IoctlRequest.IOC_WRITE, MAGIC, 2, U32), Fuse.FUSE_DEV_IOC_BACKING_CLOSE());
    }

    @Test
    void theKernelKnowsEachDevIocRequest() throws Exception {
        Path device = Path.of("/dev/fuse");
        Capabilities.require(Files.isReadable(device) && Files.isWritable(device),
                "/dev/fuse is missing or not readable and writable");
        int fd = Libc.open(device.toString(), LibcConstants.O_RDWR() | LibcConstants.O_CLOEXEC());
        try (Arena arena = Arena.ofConfined()) {
            // An unknown request is ENOTTY; a known one gets as far as its argument or the missing mount.
            long unknown = IoctlRequest.ioc(IoctlRequest.IOC_WRITE, MAGIC, 31, U32);
            assertEquals(-Errno.ENOTTY, Libc.ioctlOrErrno(fd, unknown, arena.allocate(U32)));
            assertEquals(-Errno.EFAULT, Libc.ioctlOrErrno(fd, Fuse.FUSE_DEV_IOC_CLONE(), MemorySegment.NULL),
                    "CLONE reads the descriptor to clone from its argument");
            assertEquals(-Errno.EPERM, Libc.ioctlOrErrno(fd, Fuse.FUSE_DEV_IOC_BACKING_OPEN(),
                    fuse_backing_map.allocate(arena)), "BACKING_OPEN needs a mounted connection");
            assertEquals(-Errno.EPERM, Libc.ioctlOrErrno(fd, Fuse.FUSE_DEV_IOC_BACKING_CLOSE(),
                    arena.allocate(U32)), "BACKING_CLOSE needs a mounted connection");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void passthroughNumbersAreTheProtocols() {
        assertEquals(7, Fuse.FUSE_KERNEL_VERSION());
        assertEquals(41, Fuse.FUSE_KERNEL_MINOR_VERSION(), "the header of Linux 6.12 (bindings/packages.pin)");
        // INIT flags past bit 31 travel in flags2, the upper half of the 64-bit flag set.
        assertEquals(1L << 36, Fuse.FUSE_DIRECT_IO_ALLOW_MMAP());
        assertEquals(1L << 37, Fuse.FUSE_PASSTHROUGH());
        assertEquals(1 << 30, Fuse.FUSE_INIT_EXT(), "the flag that says flags2 is meaningful");
        assertEquals(1 << 7, Fuse.FOPEN_PASSTHROUGH());
    }
}
