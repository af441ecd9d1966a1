package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.EmulatedPipe;
import dev.goldfishdma.emulator.model.GoldfishDevice;
import dev.goldfishdma.emulator.model.RegionFile;
import dev.goldfishdma.emulator.model.RegionTable;
import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Regions as true shared memory, through FUSE passthrough (Linux 6.9+): the kernel maps each pipe's region
 * file (a memfd) straight into the guest, and the emulator maps the same file, so guest and host address the
 * same pages. Nothing is copied, written back or lost, and the guest's page faults never reach the emulator.
 *
 * <p>How (each checked on Linux 6.18, see fs/fuse/passthrough.c, iomode.c, backing.c, file.c):
 * <ul>
 * <li>INIT grants FUSE_PASSTHROUGH with {@code max_stack_depth} 1 and no write-back cache ({@link FuseInit});
 *     whether it works is tried once with a scratch memfd ({@link #probe}).</li>
 * <li>At OPEN of the device, the pipe's region file is registered with FUSE_DEV_IOC_BACKING_OPEN, which
 *     needs CAP_SYS_ADMIN, and the OPEN is answered with {@code FOPEN_DIRECT_IO | FOPEN_PASSTHROUGH} and the
 *     backing id. FOPEN_DIRECT_IO overrides passthrough for read(2) and write(2) (fuse_file_read_iter,
 *     fuse_file_write_iter), so pipe I/O, ioctl and poll still reach the emulator; mmap goes to the backing
 *     file (fuse_file_mmap, fuse_passthrough_mmap), whose size CREATE_REGION sets later with ftruncate.</li>
 * <li>The kernel refuses FOPEN_STREAM, FOPEN_NONSEEKABLE and FOPEN_KEEP_CACHE next to FOPEN_PASSTHROUGH (the
 *     open fails with EIO): a passthrough pipe therefore has a file position that read and write advance,
 *     which the pipe ignores, and lseek succeeds on it.</li>
 * <li>The opener looks the backing id up after the OPEN answer is written, in its own time
 *     (fuse_passthrough_open), so the id stays registered until RELEASE; closing it right after the answer
 *     made a quarter of the opens fail with EIO in a trial. RELEASE comes at close(2) even while the region
 *     is still mapped (the mapping holds the backing file, not the FUSE file); the mapping keeps its pages
 *     until munmap.</li>
 * <li>An inode has one backing file while it is open: a second open of the same inode (through
 *     {@code /proc/self/fd/N}) must be answered with the same backing id, or it fails with EIO
 *     (fuse_inode_uncached_io_start compares the backing files). Such a pipe shares the first one's region
 *     file ({@link GoldfishDevice#openPipe}), and its OPEN gets that file's id, registered once and closed
 *     at the RELEASE of the last pipe holding it. Every path lookup gets a fresh inode
 *     ({@link NodeNamespace}), so opens by path each have their own.</li>
 * </ul>
 */
final class PassthroughMemory extends RegionSharing {
    private static final int OPEN_FLAGS = Fuse.FOPEN_DIRECT_IO() | Fuse.FOPEN_PASSTHROUGH();

    /** A region file registered with the kernel, and how many open pipes answered with its id. */
    private static final class Backing {
        final int id;
        int users = 1;

        Backing(int id) {
            this.id = id;
        }
    }

    /** Registered region files; only the request thread (OPEN, RELEASE) changes them. */
    private final Map<RegionFile, Backing> backings = new HashMap<>();
    /** The region file of each open pipe, by file handle. */
    private final Map<Long, RegionFile> filesByHandle = new HashMap<>();

    PassthroughMemory(FuseConnection connection, RegionTable regions) {
        super(connection, regions);
    }

    /**
     * Tries FUSE_DEV_IOC_BACKING_OPEN and FUSE_DEV_IOC_BACKING_CLOSE on a scratch memfd, right after INIT
     * granted passthrough.
     *
     * @return null when both worked, else why not
     */
    static String probe(FuseConnection connection) {
        int scratch;
        try {
            scratch = Libc.memfdCreate("goldfish-dma-passthrough-probe", LibcConstants.MFD_CLOEXEC());
        } catch (ErrnoException e) {
            return e.getMessage();
        }
        try {
            int id = connection.openBacking(scratch);
            int errno = connection.closeBacking(id);
            return errno == 0 ? null : "FUSE_DEV_IOC_BACKING_CLOSE failed: " + Errno.name(errno);
        } catch (ErrnoException e) {
            return "FUSE_DEV_IOC_BACKING_OPEN failed: " + e.errnoName() + " (" + e.errno() + "): " + e.strerror()
                    + (e.errno() == Errno.EPERM ? " (it needs CAP_SYS_ADMIN in the initial user namespace: root)" : "");
        } finally {
            try {
                Libc.close(scratch);
            } catch (ErrnoException e) {
                // a scratch descriptor: nothing to do
            }
        }
    }

    @Override
    String describe() {
        return "passthrough";
    }

    @Override
    int openFlags() {
        return OPEN_FLAGS;
    }

    @Override
    synchronized int opened(long handle, EmulatedPipe pipe) throws ErrnoException {
        RegionFile file = pipe.regionFile();
        Backing backing = backings.get(file);
        if (backing == null) {
            backing = new Backing(connection.openBacking(file.fd()));
            backings.put(file, backing);
        } else {
            backing.users++;
        }
        filesByHandle.put(handle, file);
        return backing.id;
    }

    @Override
    synchronized void released(long handle) {
        RegionFile file = filesByHandle.remove(handle);
        Backing backing = file == null ? null : backings.get(file);
        if (backing != null && --backing.users == 0) {
            backings.remove(file);
            connection.closeBacking(backing.id);
        }
    }

    /** Never sent: the guest's mapping is the region file itself. Answered as a fault past the region. */
    @Override
    FuseReply pageFault(EmulatedPipe pipe, long offset, int size) {
        return FuseReply.ok();
    }

    /** Never sent: nothing of the guest's mapping is in the page cache. */
    @Override
    void writeBack(EmulatedPipe pipe, long offset, MemorySegment data, long sequence) {
    }

    @Override
    FuseReply regionCreated(long unique, EmulatedPipe pipe, MemorySegment ioctlOut) {
        return FuseReply.ok(ioctlOut);
    }

    @Override
    FuseReply onRetrieveReply(FuseRequest request) {
        return FuseReply.NONE;
    }

    // ---- the host's side: the same memory, in place --------------------------------------------------------

    @Override
    int read(long uid, long phys, long offset, MemorySegment dst) {
        return withRegion(uid, phys, offset, dst.byteSize(), (region, memory) -> {
            MemorySegment.copy(memory, offset, dst, 0, dst.byteSize());
            return 0;
        });
    }

    @Override
    int write(long uid, long phys, long offset, MemorySegment src) {
        return withRegion(uid, phys, offset, src.byteSize(), (region, memory) -> {
            MemorySegment.copy(src, 0, memory, offset, src.byteSize());
            return 0;
        });
    }

    /** One read-only view of the region's memory itself: no copy. */
    @Override
    int scan(long uid, long phys, long offset, long length, Consumer<MemorySegment> reader) {
        return withRegion(uid, phys, offset, length, (region, memory) -> {
            reader.accept(memory.asSlice(offset, length).asReadOnly());
            return 0;
        });
    }
}
