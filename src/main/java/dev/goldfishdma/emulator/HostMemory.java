package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.model.EmulatedRegion;
import dev.goldfishdma.emulator.model.RegionTable;
import dev.goldfishdma.emulator.service.RegionMemory;
import dev.goldfishdma.gen.fuse.fuse_notify_retrieve_in;
import dev.goldfishdma.gen.fuse.fuse_notify_retrieve_out;
import dev.goldfishdma.gen.fuse.fuse_notify_store_out;
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
 * The host's view of the guest's DMA regions, by guest physical address, as an emulator service has it:
 * it reads what the guest wrote into its mapping and writes into that mapping, without the guest calling
 * msync or anything else.
 *
 * <p>The guest's mapping of a region is the kernel's page cache of the region's FUSE node, so:
 * <ul>
 * <li>a read asks the kernel for those pages with FUSE_NOTIFY_RETRIEVE. Each retrieve returns at most
 *     max_write bytes spread over at most max_pages pages, and stops at the first page that is not cached
 *     or not up to date (fs/fuse/dev.c, fuse_retrieve); such a
 *     page is not in any mapping, and its last contents are in the server's copy (the kernel wrote it back
 *     before dropping it, or it was never touched), so the read takes that page from the copy and retrieves
 *     again from the next page;</li>
 * <li>a write updates the server's copy first, then pushes the bytes into the page cache with
 *     FUSE_NOTIFY_STORE, where the guest's mapping sees them at once; pages the store cannot complete are
 *     filled from the copy when next faulted in.</li>
 * </ul>
 *
 * <p>Both wait for the emulator's request thread (a retrieve is answered as a request), so they must not be
 * called on it: services call them from threads of their own.
 */
public final class HostMemory implements RegionMemory {
    private static final long RETRIEVE_TIMEOUT_SECONDS = 30;

    private final FuseConnection connection;
    private final RegionTable regions;
    private final Map<Long, PendingRetrieve> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextNotifyUnique = new AtomicLong(1);
    private volatile Thread requestThread;

    HostMemory(FuseConnection connection, RegionTable regions) {
        this.connection = connection;
        this.regions = regions;
    }

    void setRequestThread(Thread thread) {
        this.requestThread = thread;
    }

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
            MemorySegment staging = Arena.ofAuto().allocate(FuseProtocol.MAX_WRITE);
            while (pos < end) {
                // A retrieve covers at most max_pages pages: from an unaligned position that is less than
                // max_write bytes. Asking for no more than fits makes a short answer mean an uncached page.
                int chunk = (int) Math.min(end - pos, FuseProtocol.MAX_WRITE - pos % Libc.PAGE_SIZE);
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
                    int chunk = (int) Math.min(length - done, FuseProtocol.MAX_WRITE);
                    fuse_notify_store_out.nodeid(out, region.inode());
                    fuse_notify_store_out.offset(out, offset + done);
                    fuse_notify_store_out.size(out, chunk);
                    int errno = connection.notify(FuseProtocol.NOTIFY_STORE, out, src.asSlice(done, chunk));
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
            throw new IllegalStateException("HostMemory used on the emulator's request thread, which must "
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
            int errno = connection.notify(FuseProtocol.NOTIFY_RETRIEVE, out);
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

    /** A NOTIFY_REPLY arrived (request thread): hand its data to the waiting retrieve. */
    void onRetrieveReply(FuseRequest request) {
        PendingRetrieve waiting = pending.get(request.unique());
        if (waiting == null) {
            return; // timed out meanwhile
        }
        MemorySegment in = request.body();
        long size = Integer.toUnsignedLong(fuse_notify_retrieve_in.size(in));
        MemorySegment data = request.bodyAfter(fuse_notify_retrieve_in.sizeof());
        long n = Math.min(Math.min(size, data.byteSize()), waiting.staging.byteSize());
        MemorySegment.copy(data, 0, waiting.staging, 0, n);
        waiting.result.complete(n);
    }

    private static final class PendingRetrieve {
        final MemorySegment staging;
        final CompletableFuture<Long> result = new CompletableFuture<>();

        PendingRetrieve(MemorySegment staging) {
            this.staging = staging;
        }
    }
}
