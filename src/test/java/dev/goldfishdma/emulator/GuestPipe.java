package dev.goldfishdma.emulator;

import dev.goldfishdma.service.DmaServiceProtocol;
import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.gen.dma.goldfish_dma_ioctl_info;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A guest's use of the device in the tests, through the libc layer only (real system calls on the mounted
 * file), as the driver's users make them.
 */
final class GuestPipe implements AutoCloseable {
    /** How long a test waits for an answer before failing instead of hanging. */
    static final int ANSWER_TIMEOUT_MILLIS = 30_000;

    final int fd;
    private final Arena arena = Arena.ofShared();
    private boolean closed;

    private GuestPipe(int fd) {
        this.fd = fd;
    }

    static GuestPipe open(Path device) throws ErrnoException {
        return open(device, 0);
    }

    static GuestPipe open(Path device, int extraFlags) throws ErrnoException {
        return new GuestPipe(Libc.open(device.toString(), OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC | extraFlags));
    }

    /** A pipe over {@code fd}, an open descriptor of the device, which it closes. */
    static GuestPipe adopt(int fd) {
        return new GuestPipe(fd);
    }

    /** Opens and connects to {@code service}. */
    static GuestPipe connect(Path device, String service) throws ErrnoException {
        return connect(device, service, 0);
    }

    /** Opens with {@code extraFlags} (e.g. O_NONBLOCK) and connects to {@code service}. */
    static GuestPipe connect(Path device, String service, int extraFlags) throws ErrnoException {
        GuestPipe pipe = open(device, extraFlags);
        pipe.write(("pipe:" + service + "\0").getBytes(StandardCharsets.UTF_8));
        return pipe;
    }

    void write(byte[] bytes) throws ErrnoException {
        MemorySegment buffer = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, buffer, 0, bytes.length);
        Libc.writeFully(fd, buffer.asSlice(0, bytes.length));
    }

    void write(MemorySegment bytes) throws ErrnoException {
        MemorySegment buffer = arena.allocate(Math.max(1, bytes.byteSize()));
        MemorySegment.copy(bytes, 0, buffer, 0, bytes.byteSize());
        Libc.writeFully(fd, buffer.asSlice(0, bytes.byteSize()));
    }

    /** pwrite(2) of {@code bytes} at offset 0: a write that takes no file-position lock. */
    long pwrite(byte[] bytes) throws ErrnoException {
        MemorySegment buffer = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, buffer, 0, bytes.length);
        return Libc.pwrite(fd, buffer.asSlice(0, bytes.length), 0);
    }

    /** Reads exactly {@code n} bytes, failing the test if they do not come within the answer timeout. */
    byte[] readExactly(int n) throws ErrnoException {
        MemorySegment buffer = arena.allocate(Math.max(1, n));
        long done = 0;
        while (done < n) {
            assertTrue(waitFor(PollFd.POLLIN, ANSWER_TIMEOUT_MILLIS) != 0,
                    "no data within " + ANSWER_TIMEOUT_MILLIS + " ms (" + done + " of " + n + " bytes read)");
            long got = Libc.read(fd, buffer.asSlice(done, n - done));
            if (got == 0) {
                fail("end of stream after " + done + " of " + n + " bytes");
            }
            done += got;
        }
        return buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /**
     * Writes {@code bytes} and reads as many back, in this one thread, as an echo of more than the pipe buffer
     * needs: the descriptor must be O_NONBLOCK; writes that find the pipe full (EAGAIN) wait in poll(2) for
     * room or data, so no read(2) or write(2) ever waits (with passthrough, one would hold the file-position
     * lock the other needs).
     */
    byte[] echo(byte[] bytes) throws ErrnoException {
        MemorySegment out = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, out, 0, bytes.length);
        MemorySegment in = arena.allocate(Math.max(1, bytes.length));
        long written = 0;
        long read = 0;
        while (read < bytes.length) {
            short events = (short) (PollFd.POLLIN | (written < bytes.length ? PollFd.POLLOUT : 0));
            short ready = waitFor(events, ANSWER_TIMEOUT_MILLIS);
            assertTrue(ready != 0, "neither room nor data within " + ANSWER_TIMEOUT_MILLIS + " ms (" + written
                    + " written, " + read + " read of " + bytes.length + ")");
            if ((ready & PollFd.POLLOUT) != 0 && written < bytes.length) {
                written += writeSome(out.asSlice(written, bytes.length - written));
            }
            if ((ready & PollFd.POLLIN) != 0) {
                read += readSome(in.asSlice(read, bytes.length - read));
            }
        }
        return in.asSlice(0, bytes.length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /** One write(2) of a non-blocking descriptor: the bytes taken, 0 for EAGAIN. */
    long writeSome(MemorySegment bytes) throws ErrnoException {
        try {
            return Libc.write(fd, bytes);
        } catch (ErrnoException e) {
            if (e.errno() == dev.goldfishdma.libc.Errno.EAGAIN) {
                return 0;
            }
            throw e;
        }
    }

    /** One read(2) of a non-blocking descriptor: the bytes read, 0 for EAGAIN. */
    long readSome(MemorySegment into) throws ErrnoException {
        try {
            return Libc.read(fd, into);
        } catch (ErrnoException e) {
            if (e.errno() == dev.goldfishdma.libc.Errno.EAGAIN) {
                return 0;
            }
            throw e;
        }
    }

    /** One read(2) of up to {@code n} bytes. */
    long readOnce(int n) throws ErrnoException {
        return Libc.read(fd, arena.allocate(Math.max(1, n)).asSlice(0, n));
    }

    /** poll(2) for {@code events}: the returned events, 0 on time-out. */
    short waitFor(short events, int timeoutMillis) throws ErrnoException {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment fds = local.allocate(PollFd.LAYOUT);
            PollFd.set(fds, 0, fd, events);
            int n = Libc.poll(fds, 1, timeoutMillis);
            return n == 0 ? 0 : PollFd.revents(fds, 0);
        }
    }

    /** CREATE_REGION; returns 0 or -errno. */
    int createRegion(long size) {
        MemorySegment info = goldfish_dma_ioctl_info.allocate(arena);
        goldfish_dma_ioctl_info.size(info, size);
        return Libc.ioctlOrErrno(fd, GoldfishDma.GOLDFISH_DMA_IOC_CREATE_REGION(), info);
    }

    /** GETOFF: {phys_begin, size}. */
    long[] getOff() throws ErrnoException {
        MemorySegment info = goldfish_dma_ioctl_info.allocate(arena);
        goldfish_dma_ioctl_info.phys_begin(info, -1);
        goldfish_dma_ioctl_info.size(info, -1);
        assertEquals(0, Libc.ioctl(fd, GoldfishDma.GOLDFISH_DMA_IOC_GETOFF(), info));
        return new long[] {goldfish_dma_ioctl_info.phys_begin(info), goldfish_dma_ioctl_info.size(info)};
    }

    /** Any request with a 16-byte argument; returns the result or -errno. */
    int ioctl(long request) {
        return Libc.ioctlOrErrno(fd, request, goldfish_dma_ioctl_info.allocate(arena));
    }

    /** mmap(NULL, size, prot, MAP_SHARED, fd, 0), as a segment of that size. */
    MemorySegment map(long size, int prot) throws ErrnoException {
        return Libc.mmap(size, prot, MmapFlags.MAP_SHARED, fd, 0).reinterpret(size);
    }

    /** mmap read and write, as the library does. */
    MemorySegment map(long size) throws ErrnoException {
        return map(size, MmapFlags.PROT_READ | MmapFlags.PROT_WRITE);
    }

    static void unmap(MemorySegment mapping) throws ErrnoException {
        Libc.munmap(mapping, mapping.byteSize());
    }

    /** Sends one dma command and returns its 8-byte answer. */
    MemorySegment dmaCommand(MemorySegment command) throws ErrnoException {
        write(command);
        return MemorySegment.ofArray(readExactly(DmaServiceProtocol.ANSWER_SIZE));
    }

    /** Closes the descriptor once; later calls do nothing (a second close could hit a reused number). */
    @Override
    public void close() throws ErrnoException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Libc.close(fd);
        } finally {
            arena.close();
        }
    }
}
