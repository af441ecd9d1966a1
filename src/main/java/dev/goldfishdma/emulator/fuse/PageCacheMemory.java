package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.EmulatedRegion;
import dev.goldfishdma.emulator.model.RegionTable;
import dev.goldfishdma.emulator.service.RegionMemory;
import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.emulator.fuse.gen.fuse_notify_retrieve_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_notify_retrieve_out;
import dev.goldfishdma.emulator.fuse.gen.fuse_notify_store_out;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Region memory through the kernel's page cache: the guest's mapping of a region is the page cache of the
 * device inode its pipe was opened on, and the region's memory ({@link EmulatedRegion#ensureAllocated()}) is
 * the server's copy behind it. This class serves both sides of that arrangement.
 *
 * <p>The guest's side, on the request thread:
 * <ul>
 * <li>a page fault of the mapping is a READ without the lock-owner flag ({@link #pageFault}), filled from the
 *     server's copy; the first one allocates the region's memory and so gives it its physical address;</li>
 * <li>the kernel writes dirty pages back, whenever it likes (and at munmap and close), as WRITEs with
 *     FUSE_WRITE_CACHE ({@link #writeBack}), which update the copy; pages it drops are refetched from the
 *     copy on the next touch;</li>
 * <li>before a pipe read or write of {@code count} bytes (direct I/O at offset 0), the kernel writes back
 *     the dirty pages of that range of the mapping, and before a write it also drops them from the page
 *     cache (file.c, fuse_direct_io, when direct_io_allow_mmap is set); the guest's next touch faults them
 *     in again from the copy, which the writeback has just updated. Correct, but the first page of a
 *     mapping is refetched after each pipe write.</li>
 * </ul>
 *
 * <p>The host's side ({@link RegionMemory}, on the services' threads):
 * <ul>
 * <li>a read asks the kernel for the cached pages with FUSE_NOTIFY_RETRIEVE. Each retrieve returns at most
 *     max_write bytes spread over at most max_pages pages, and stops at the first page that is not cached
 *     or not up to date (fs/fuse/dev.c, fuse_retrieve); such a page is not in any mapping, and its last
 *     contents are in the server's copy (the kernel wrote it back before dropping it, or it was never
 *     touched), so the read takes that page from the copy and retrieves again from the next page;</li>
 * <li>a write updates the server's copy first, then pushes the bytes into the page cache with
 *     FUSE_NOTIFY_STORE, where the guest's mapping sees them at once; pages the store cannot complete are
 *     filled from the copy when next faulted in.</li>
 * </ul>
 * Both wait for the request thread (a retrieve is answered as a request), so they must not be called on it.
 * A host write racing the kernel's writeback of the same page can leave the copy older than the page the
 * guest sees, until that page is written back again; only a page dropped in that window comes back stale.
 */
final class PageCacheMemory implements RegionMemory {
    private static final long RETRIEVE_TIMEOUT_SECONDS = 30;

    private final FuseConnection connection;
    private final RegionTable regions;
    private final Map<Long, PendingRetrieve> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextNotifyUnique = new AtomicLong(1);
    private volatile Thread requestThread;

    PageCacheMemory(FuseConnection connection, RegionTable regions) {
        this.connection = connection;
        this.regions = regions;
    }

    void setRequestThread(Thread thread) {
        this.requestThread = thread;
    }

    // ---- the guest's side (request thread) --------------------------------------------------------------

    /**
     * A page-cache READ of {@code size} bytes at {@code offset}: the guest touched its mapping of
     * {@code region} (null before CREATE_REGION). Served from the region's memory, which the first fault
     * allocates. Anything outside a region is an error, so the guest gets SIGBUS where the driver would map
     * garbage or oops.
     */
    FuseReply pageFault(EmulatedRegion region, long offset, int size) {
        if (region == null || offset < 0 || offset + size > region.size()) {
            return FuseReply.error(Errno.EIO);
        }
        MemorySegment copy;
        try {
            copy = region.ensureAllocated();
        } catch (OutOfMemoryError e) {
            return FuseReply.error(Errno.ENOMEM);
        }
        if (copy == null) {
            return FuseReply.error(Errno.EIO);
        }
        return FuseReply.ok(copy.asSlice(offset, size));
    }

    /** Writeback of dirty pages of the mapping of {@code region}: the copy takes them (clipped to the region). */
    void writeBack(EmulatedRegion region, long offset, MemorySegment data) {
        if (region == null || offset < 0 || offset >= region.size()) {
            return;
        }
        MemorySegment copy;
        try {
            copy = region.ensureAllocated();
        } catch (OutOfMemoryError e) {
            return;
        }
        if (copy != null) {
            long n = Math.min(data.byteSize(), region.size() - offset);
            MemorySegment.copy(data, 0, copy, offset, n);
        }
    }

    // ---- the host's side (services' threads) ------------------------------------------------------------

    @Override
    public long regionSize(long phys) {
        EmulatedRegion region = regions.lookup(phys);
        return region == null ? -1 : region.size();
    }

    @Override
    public int read(long phys, long offset, MemorySegment dst) {
        return withRegion(phys, offset, dst.byteSize(), (region, copy) -> {
            long length = dst.byteSize();
            long end = offset + length;
            long pos = offset;
            // Filled by the request thread when the kernel's reply arrives, possibly after a time-out here:
            // memory that the collector frees once neither side holds it, not an arena closed under a writer.
            MemorySegment staging = Arena.ofAuto().allocate(FuseConnection.MAX_WRITE);
            while (pos < end) {
                // A retrieve covers at most max_pages pages: from an unaligned position that is less than
                // max_write bytes. Asking for no more than fits makes a short answer mean an uncached page.
                int chunk = (int) Math.min(end - pos, FuseConnection.MAX_WRITE - pos % Libc.PAGE_SIZE);
                long got = retrieve(region.inode(), pos, chunk, staging);
                if (got < 0) {
                    int errno = (int) -got;
                    if (errno == Errno.ENOENT) {
                        // The kernel has dropped the node: nothing is cached, the copy is everything.
                        MemorySegment.copy(copy, pos, dst, pos - offset, end - pos);
                        return 0;
                    }
                    return errno;
                }
                MemorySegment.copy(staging, 0, dst, pos - offset, got);
                pos += got;
                if (got < chunk) {
                    long pageEnd = Math.min(end, (pos / Libc.PAGE_SIZE + 1) * Libc.PAGE_SIZE);
                    MemorySegment.copy(copy, pos, dst, pos - offset, pageEnd - pos);
                    pos = pageEnd;
                }
            }
            return 0;
        });
    }

    @Override
    public int write(long phys, long offset, MemorySegment src) {
        return withRegion(phys, offset, src.byteSize(), (region, copy) -> {
            long length = src.byteSize();
            // The copy first: a page the store does not reach is read from it on the next fault.
            MemorySegment.copy(src, 0, copy, offset, length);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = fuse_notify_store_out.allocate(arena);
                for (long done = 0; done < length; ) {
                    int chunk = (int) Math.min(length - done, FuseConnection.MAX_WRITE);
                    fuse_notify_store_out.nodeid(out, region.inode());
                    fuse_notify_store_out.offset(out, offset + done);
                    fuse_notify_store_out.size(out, chunk);
                    int errno = connection.notify(Fuse.FUSE_NOTIFY_STORE(), out, src.asSlice(done, chunk));
                    if (errno == Errno.ENOENT) {
                        break; // no cached node: the copy is all there is
                    }
                    if (errno != 0) {
                        return Errno.EIO;
                    }
                    done += chunk;
                }
            }
            return 0;
        });
    }

    /** Work on the server's copy of a live region, given the region and the copy; returns 0 or an errno. */
    private interface RegionAccess {
        int apply(EmulatedRegion region, MemorySegment copy);
    }

    /**
     * Runs {@code access} on the region at {@code phys} while holding its copy, if the region is live and
     * {@code [offset, offset + length)} lies within it; EINVAL otherwise.
     */
    private int withRegion(long phys, long offset, long length, RegionAccess access) {
        checkThread();
        EmulatedRegion region = regions.lookup(phys);
        if (region == null) {
            return Errno.EINVAL;
        }
        MemorySegment copy = region.acquire();
        if (copy == null) {
            return Errno.EINVAL;
        }
        try {
            boolean inRange = offset >= 0 && length >= 0 && offset <= region.size() && length <= region.size() - offset;
            return inRange ? access.apply(region, copy) : Errno.EINVAL;
        } finally {
            region.release();
        }
    }

    private void checkThread() {
        if (Thread.currentThread() == requestThread) {
            throw new IllegalStateException("RegionMemory used on the emulator's request thread, which must "
                    + "answer the retrieve it would wait for: use a thread of the service's own");
        }
    }

    /**
     * One NOTIFY_RETRIEVE round trip.
     *
     * @return the number of bytes the kernel returned into {@code staging} (fewer than asked when it met an
     *         uncached page), or -errno
     */
    private long retrieve(long nodeId, long offset, int size, MemorySegment staging) {
        long unique = nextNotifyUnique.getAndIncrement();
        PendingRetrieve request = new PendingRetrieve(staging);
        pending.put(unique, request);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = fuse_notify_retrieve_out.allocate(arena);
            fuse_notify_retrieve_out.notify_unique(out, unique);
            fuse_notify_retrieve_out.nodeid(out, nodeId);
            fuse_notify_retrieve_out.offset(out, offset);
            fuse_notify_retrieve_out.size(out, size);
            int errno = connection.notify(Fuse.FUSE_NOTIFY_RETRIEVE(), out);
            if (errno != 0) {
                return -errno;
            }
            return request.result.get(RETRIEVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return -Errno.EIO;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -Errno.EINTR;
        } finally {
            pending.remove(unique);
        }
    }

    /** The NOTIFY_REPLY handler (request thread): hands the kernel's answer to the waiting retrieve. */
    FuseReply onRetrieveReply(FuseRequest request) {
        PendingRetrieve waiting = pending.get(request.unique());
        if (waiting == null) {
            return FuseReply.NONE; // timed out meanwhile
        }
        MemorySegment in = request.body();
        long size = Integer.toUnsignedLong(fuse_notify_retrieve_in.size(in));
        MemorySegment data = request.bodyAfter(fuse_notify_retrieve_in.sizeof());
        long n = Math.min(Math.min(size, data.byteSize()), waiting.staging.byteSize());
        MemorySegment.copy(data, 0, waiting.staging, 0, n);
        waiting.result.complete(n);
        return FuseReply.NONE;
    }

    private static final class PendingRetrieve {
        final MemorySegment staging;
        final CompletableFuture<Long> result = new CompletableFuture<>();

        PendingRetrieve(MemorySegment staging) {
            this.staging = staging;
        }
    }
}
