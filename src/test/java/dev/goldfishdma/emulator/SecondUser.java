package dev.goldfishdma.emulator;

import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.gen.dma.goldfish_dma_ioctl_info;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.service.DmaServiceProtocol;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * What a second local user tries on the first user's emulated device, run as that user by the
 * {@code *SecondUserTest} classes. Uses the libc layer only (no test library: the second user cannot read
 * the build's dependencies). Each argument is one attempt; each prints one line:
 * <ul>
 * <li>{@code open:PATH}: {@code open PATH ok}, or {@code open PATH ERRNAME}</li>
 * <li>{@code crc:DEVICE:PHYS}: asks the {@code dma} service for the CRC of the first page at the hex
 *     address: {@code crc PHYS status=NAME}</li>
 * <li>{@code own:DEVICE}: makes, maps and fills a region of its own, then asks for its CRC: {@code own
 *     status=NAME}</li>
 * </ul>
 */
public final class SecondUser {
    private static final long PAGE = Libc.PAGE_SIZE;

    private SecondUser() {
    }

    public static void main(String[] args) {
        System.out.println("uid " + Libc.getuid());
        for (String arg : args) {
            String[] parts = arg.split(":", 3);
            try {
                switch (parts[0]) {
                    case "open" -> System.out.println("open " + parts[1] + " " + tryOpen(parts[1]));
                    case "crc" -> System.out.println("crc " + parts[2] + " status="
                            + status(crc(parts[1], Long.parseUnsignedLong(parts[2], 16))));
                    case "own" -> System.out.println("own status=" + status(own(parts[1])));
                    default -> System.out.println("unknown " + arg);
                }
            } catch (ErrnoException e) {
                System.out.println(parts[0] + " failed " + e.errnoName() + ": " + e.getMessage());
            }
        }
    }

    private static String status(int errno) {
        return errno == 0 ? "0" : Errno.name(errno);
    }

    private static String tryOpen(String path) {
        try {
            Libc.close(Libc.open(path, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC));
            return "ok";
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EISDIR) {
                return e.errnoName();
            }
        }
        try {
            Libc.close(Libc.open(path, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC));
            return "ok";
        } catch (ErrnoException e) {
            return e.errnoName();
        }
    }

    /** The dma service's status for the CRC of the first page at {@code phys}. */
    private static int crc(String device, long phys) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.open(device, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
            try {
                write(fd, arena, ("pipe:" + DmaServiceProtocol.SERVICE_NAME + "\0").getBytes(StandardCharsets.UTF_8));
                MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
                DmaServiceProtocol.encodeCrc(command, phys, 0, PAGE);
                Libc.writeFully(fd, command);
                MemorySegment answer = arena.allocate(DmaServiceProtocol.ANSWER_SIZE);
                Libc.readFully(fd, answer);
                return DmaServiceProtocol.decodeStatus(answer);
            } finally {
                Libc.close(fd);
            }
        }
    }

    /** Makes a region of its own, maps and fills it, and asks the dma service for its CRC. */
    private static int own(String device) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.open(device, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
            try {
                MemorySegment info = goldfish_dma_ioctl_info.allocate(arena);
                goldfish_dma_ioctl_info.size(info, PAGE);
                Libc.ioctl(fd, GoldfishDma.GOLDFISH_DMA_IOC_CREATE_REGION(), info);
                MemorySegment mapping = Libc.mmap(PAGE, MmapFlags.PROT_READ | MmapFlags.PROT_WRITE,
                        MmapFlags.MAP_SHARED, fd, 0).reinterpret(PAGE);
                mapping.fill((byte) 7);
                Libc.ioctl(fd, GoldfishDma.GOLDFISH_DMA_IOC_GETOFF(), info);
                long phys = goldfish_dma_ioctl_info.phys_begin(info);
                int status = crc(device, phys);
                Libc.munmap(mapping, PAGE);
                return phys == 0 ? Errno.EFAULT : status;
            } finally {
                Libc.close(fd);
            }
        }
    }

    private static void write(int fd, Arena arena, byte[] bytes) throws ErrnoException {
        MemorySegment buffer = arena.allocate(bytes.length);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, buffer, 0, bytes.length);
        Libc.writeFully(fd, buffer);
    }
}
