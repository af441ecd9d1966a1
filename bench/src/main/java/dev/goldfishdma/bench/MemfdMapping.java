package dev.goldfishdma.bench;

import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A shared mapping of an anonymous file: ordinary RAM mapped as the driver maps the region (shared, read and
 * write), with no device behind it. The reference point that shows what the emulated device's mapping costs.
 */
final class MemfdMapping implements AutoCloseable {
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment segment;

    MemfdMapping(long size) throws ErrnoException {
        fd = Libc.memfdCreate("goldfish-dma-bench", 0);
        try {
            Libc.ftruncate(fd, size);
            MemorySegment address = Libc.mmap(size, MmapFlags.PROT_READ | MmapFlags.PROT_WRITE, MmapFlags.MAP_SHARED,
                    fd, 0);
            segment = address.reinterpret(size, arena, mapped -> {
                try {
                    Libc.munmap(mapped, size);
                } catch (ErrnoException e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (ErrnoException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    MemorySegment segment() {
        return segment;
    }

    @Override
    public void close() throws ErrnoException {
        arena.close();
        Libc.close(fd);
    }
}
