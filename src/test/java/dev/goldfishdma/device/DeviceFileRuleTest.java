package dev.goldfishdma.device;

import dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension;
import dev.goldfishdma.libc.FileSystems;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.RandomAccessFile;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.OptionalLong;

import static java.net.StandardProtocolFamily.UNIX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device file rule: only a character device or the emulated device's file is written to; anything else
 * given as the device is refused, named for what it is, and left as it was.
 */
class DeviceFileRuleTest {
    @RegisterExtension
    static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();

    @Test
    void aRegularFileIsRefusedAndLeftAsItWas(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("not-a-device");
        byte[] content = "precious data\n".getBytes();
        Files.write(file, content);
        FileTime mtime = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(file, mtime);

        NotADeviceException e = assertThrows(NotADeviceException.class, () -> GoldfishPipe.open(file, "echo"));
        assertTrue(e.getMessage().contains(file + " is a regular file"), e.getMessage());
        assertTrue(e.getMessage().contains("left untouched"), e.getMessage());
        assertEquals(FileType.REGULAR_FILE, e.fileType());
        assertEquals(file, e.path());
        assertThrows(NotADeviceException.class, () -> DeviceProbe.open(file));
        try (RegionManager regions = RegionManager.builder(file).service("echo").build()) {
            assertThrows(NotADeviceException.class, () -> regions.acquire(1));
        }

        assertArrayEquals(content, Files.readAllBytes(file));
        assertEquals(mtime, Files.getLastModifiedTime(file));
    }

    @Test
    void aSymbolicLinkToARegularFileIsRefusedForWhatItPointsTo(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("data"), new byte[] {1, 2, 3});
        Path link = Files.createSymbolicLink(dir.resolve("goldfish_pipe"), file);
        NotADeviceException e = assertThrows(NotADeviceException.class, () -> GoldfishPipe.open(link, "echo"));
        assertTrue(e.getMessage().contains(link + " is a regular file"), e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
    }

    @Test
    void aDirectoryIsRefusedByName(@TempDir Path dir) {
        NotADeviceException e = assertThrows(NotADeviceException.class, () -> GoldfishPipe.open(dir, "echo"));
        assertTrue(e.getMessage().contains(dir + " is a directory"), e.getMessage());
        assertEquals(FileType.DIRECTORY, e.fileType());
    }

    @Test
    void aFifoIsRefusedWithoutBlockingAndGetsNoBytes(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // Held open read-write so that whatever is written to the FIFO stays in it to be counted.
        try (RandomAccessFile holder = new RandomAccessFile(fifo.toFile(), "rw");
             FileInputStream reader = new FileInputStream(holder.getFD())) {
            NotADeviceException e = assertThrows(NotADeviceException.class, () -> GoldfishPipe.open(fifo, "echo"));
            assertTrue(e.getMessage().contains(fifo + " is a FIFO"), e.getMessage());
            assertEquals(0, reader.available(), "bytes written into the FIFO");
        }
    }

    @Test
    void aSocketIsRefusedByName(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            NotADeviceException e = assertThrows(NotADeviceException.class, () -> GoldfishPipe.open(socket, "echo"));
            assertTrue(e.getMessage().contains(socket + " is a socket"), e.getMessage());
        }
    }

    @Test
    void aCharacterDeviceAndTheEmulatedDeviceAreAccepted() throws Exception {
        try (GoldfishPipe devNull = GoldfishPipe.open(Path.of("/dev/null"), "echo");
             GoldfishPipe emulated = GoldfishPipe.open(DEVICE.path(), "echo")) {
            emulated.write(new byte[] {7}, 0, 1);
            byte[] one = new byte[1];
            emulated.readFully(one);
            assertEquals(7, one[0]);
            assertTrue(devNull.isOpen());
        }
        assertEquals(DriverRules.EMULATED_FILE_SYSTEM_TYPE, Files.lines(Path.of("/proc/self/mountinfo"))
                .filter(l -> l.contains(" " + DEVICE.device().mountDir() + " ")).map(l -> l.split(" - ")[1].split(" ")[0])
                .findFirst().orElseThrow());
    }

    @Test
    void theEmulatedDevicesMountIsLookedUpOnceAndRemembered(@TempDir Path dir) throws Exception {
        int fd = Libc.open(DEVICE.path().toString(), OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        int plain = Libc.open(Files.write(dir.resolve("plain"), new byte[1]).toString(),
                OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        try {
            assertEquals(FileSystems.FUSE_SUPER_MAGIC, FileSystems.type(fd), "fstatfs of the emulated device's file");
            assertEquals(DriverRules.EMULATED_FILE_SYSTEM_TYPE, DeviceFiles.fileSystemType(fd));
            assertTrue(DeviceFiles.onEmulatedFileSystem(fd));
            assertNotEquals(FileSystems.FUSE_SUPER_MAGIC, FileSystems.type(plain));
            assertFalse(DeviceFiles.onEmulatedFileSystem(plain));
            OptionalLong mount = FileSystems.uniqueMountId(fd);
            Capabilities.require(mount.isPresent(), "the kernel reports no unique mount id (STATX_MNT_ID_UNIQUE, "
                    + "Linux 6.8+), so nothing is remembered");
            assertTrue(DeviceFiles.knownMounts() >= 1 && DeviceFiles.knownMounts() <= DeviceFiles.KNOWN_MOUNTS_LIMIT,
                    "remembered mounts: " + DeviceFiles.knownMounts());
            assertTrue(DeviceFiles.onEmulatedFileSystem(fd), "remembered, and still the emulated device");
        } finally {
            Libc.close(fd);
            Libc.close(plain);
        }
    }

    @Test
    void aRefusedRegularFileIsNamedWithItsFileSystem(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("data"), new byte[] {1});
        String type = Files.getFileStore(file).type();
        NotADeviceException e = assertThrows(NotADeviceException.class, () -> GoldfishPipe.open(file, "echo"));
        assertTrue(e.getMessage().contains(file + " is a regular file on a " + type + " file system"), e.getMessage());
    }

    @Test
    void fileTypesAreReadFromTheKernel(@TempDir Path dir) throws Exception {
        assertEquals(FileType.REGULAR_FILE, FileType.of(Files.createFile(dir.resolve("f"))));
        assertEquals(FileType.DIRECTORY, FileType.of(dir));
        assertEquals(FileType.CHARACTER_DEVICE, FileType.of(Path.of("/dev/null")));
        Path fifo = dir.resolve("p");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertEquals(FileType.FIFO, FileType.of(fifo));
        Path link = Files.createSymbolicLink(dir.resolve("l"), dir.resolve("f"));
        assertEquals(FileType.SYMBOLIC_LINK, FileType.ofLink(link));
        assertEquals(FileType.REGULAR_FILE, FileType.of(link));
        try (ServerSocketChannel server = ServerSocketChannel.open(UNIX)) {
            Path socket = dir.resolve("s");
            server.bind(UnixDomainSocketAddress.of(socket));
            assertEquals(FileType.SOCKET, FileType.of(socket));
        }
        try (var devices = Files.list(Path.of("/dev"))) {
            devices.filter(p -> p.getFileName().toString().matches("loop[0-9]+|sd[a-z]|vd[a-z]|nvme[0-9]n[0-9]"))
                    .findFirst().ifPresent(block -> {
                        try {
                            assertEquals(FileType.BLOCK_DEVICE, FileType.of(block), block.toString());
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
        }
    }
}
