package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.EmulatedPipe;
import dev.goldfishdma.emulator.model.EmulatedRegion;
import dev.goldfishdma.emulator.model.RegionTable;
import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.emulator.fuse.gen.fuse_ioctl_out;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Region memory through the kernel's page cache, the fallback where FUSE passthrough is not available: the
 * guest's mapping of a region is the page cache of the device inode its pipe was opened on, filled from the
 * region's file (the pipe's {@link dev.goldfishdma.emulator.model.RegionFile}, mapped here) and written back
 * to it. This class serves both sides of that arrangement.
 *
 * <p>The guest's side, on the request thread:
 * <ul>
 * <li>The device file's size is its region's size (0 before CREATE_REGION: {@link NodeNamespace}), so the
 *     kernel itself answers a touch past the region, or before it exists, with SIGBUS, without asking:
 *     filemap_fault checks the size first. CREATE_REGION grows the kernel's idea of the size with a one-byte
 *     FUSE_NOTIFY_STORE at the region's last byte (fuse_notify_store extends i_size; a zero-byte store does
 *     not), sent from a thread of its own before the ioctl is answered ({@link #regionCreated}): on the
 *     request thread it could wait for a page lock held by a fault that waits for the request thread.</li>
 * <li>A page fault of the mapping is a READ without the lock-owner flag ({@link #pageFault}), filled from
 *     the region's file. A pipe write of {@code n} bytes grows the kernel's size to {@code n} when that is
 *     larger (fuse_direct_write_iter updates i_size with the stream position), so faults past the region can
 *     still arrive: they are answered short, with the bytes inside the region only, often none. The kernel
 *     then shrinks its size to the region's end (fuse_short_read), and filemap_fault, which checks the size
 *     again after the read, answers SIGBUS. An error answer would not do: for MAP_POPULATE and mlock,
 *     filemap_fault turns a failed read into a retry, which the kernel repeats forever.</li>
 * <li>The kernel writes dirty pages back whenever it likes (and at munmap and close), as WRITEs with
 *     FUSE_WRITE_CACHE ({@link #writeBack}), which update the region's file, and drops pages, which the next
 *     touch refetches from it. Before a pipe read or write of {@code count} bytes (direct I/O at offset 0),
 *     it also writes back the dirty pages of that range of the mapping, and before a write drops them
 *     (file.c, fuse_direct_io, when direct_io_allow_mmap is set): correct, but the first page of a mapping
 *     is refetched after each pipe write.</li>
 * </ul>
 *
 * <p>The host's side ({@link dev.goldfishdma.emulator.service.RegionMemory}, on the services' threads):
 * <ul>
 * <li>a read asks the kernel for the cached pages with FUSE_NOTIFY_RETRIEVE, straight into the caller's
 *     memory. Each retrieve returns at most max_write bytes spread over at most max_pages pages, and stops at
 *     the first page that is not cached or not up to date (fs/fuse/dev.c, fuse_retrieve); such a page is not
 *     in any mapping, and its last contents are in the region's file (the kernel wrote it back before
 *     dropping it, or it was never touched), so the read takes that page from the file and retrieves again
 *     from the next page;</li>
 * <li>a write updates the region's file first, then pushes the bytes into the page cache with
 *     FUSE_NOTIFY_STORE, where the guest's mapping sees them at once; pages the store cannot complete are
 *     filled from the file when next faulted in. A writeback racing with it cannot undo it
 *     ({@link HostWriteLog}).</li>
 * </ul>
 * Both wait for the request thread (a retrieve is answered as a request), so they must not be called on it.
 * Nothing is allocated per call but a retrieve's bookkeeping; {@link #scan} copies through one buffer per
 * thread of {@value FuseConnection#MAX_WRITE} bytes.
 */
final class PageCacheMemory extends RegionSharing {
    private static final long RETRIEVE_TIMEOUT_SECONDS = 30;
    private static final int OPEN_FLAGS = Fuse.FOPEN_DIRECT_IO() | Fuse.FOPEN_STREAM() | Fuse.FOPEN_NONSEEKABLE();

    private final Map<Long, PendingRetrieve> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextNotifyUnique = new AtomicLong(1);
    private final HostWriteLog hostWrites;
    private final ThreadLocal<MemorySegment> scanBuffers = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(FuseConnection.MAX_WRITE, 64));
    private final ExecutorService sizer = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "goldfish-fuse-region-size");
        thread.setDaemon(true);
        return thread;
    });
    private final String why;
    private volatile Thread requestThread;

    /**
     * @param why why passthrough is not used, for the status file; null when the page cache was asked for
     */
    PageCacheMemory(FuseConnection connection, RegionTable regions, String why) {
        super(connection, regions);
        this.hostWrites = new HostWriteLog(connection);
        this.why = why;
    }

    void setRequestThread(Thread thread) {
        this.requestThread = thread;
    }

    @Override
    String describe() {
        return why == null ? "page-cache" : "page-cache (passthrough unavailable: " + why + ")";
    }

    @Override
    int openFlags() {
        return OPEN_FLAGS;
    }

    @Override
    int opened(long handle, EmulatedPipe pipe) {
        return 0;
    }

    @Override
    void released(long handle) {
    }

    @Override
    void close() {
        sizer.shutdownNow();
    }

    // ---- the guest's side (request thread) --------------------------------------------------------------

    /**
     * A page-cache READ of {@code size} bytes at {@code offset}: the guest touched its mapping. Answered from
     * the region's file, and short past the region's end (see the class documentation).
     */
    @Override
    FuseReply pageFault(EmulatedPipe pipe, long offset, int size) {
        EmulatedRegion region = pipe.regionFile().region();
        MemorySegment memory = region == null ? null : region.memory();
        if (memory == null || offset < 0 || offset >= region.size()) {
            return FuseReply.ok();
        }
        return FuseReply.ok(memory.asSlice(offset, Math.min(size, region.size() - offset)));
    }

    /**
     * Writeback of dirty pages of the mapping: the region's file takes them (clipped to the region). The
     * kernel writes an inode's pages back through any of its files open for writing, so the region is the
     * inode's, whichever pipe sharing its file made it.
     */
    @Override
    void writeBack(EmulatedPipe pipe, long offset, MemorySegment data, long sequence) {
        EmulatedRegion region = pipe.regionFile().region();
        MemorySegment memory = region == null ? null : region.memory();
        if (memory == null || offset < 0 || offset >= region.size()) {
            return;
        }
        long n = Math.min(data.byteSize(), region.size() - offset);
        hostWrites.applyWriteBack(region, memory, offset, data.asSlice(0, n), sequence);
    }

    @Override
    FuseReply regionCreated(long unique, EmulatedPipe pipe, MemorySegment ioctlOut) {
        EmulatedRegion region = pipe.region();
        sizer.execute(() -> {
            int errno;
            try {
                errno = extendFileSize(region);
            } catch (Throwable e) {
                errno = FuseDispatcher.errnoFor(e); // answered whatever happened: the caller waits for it
            }
            try (Arena arena = Arena.ofConfined()) {
                if (errno == 0) {
                    connection.reply(unique, 0, fuse_ioctl_out.allocate(arena));
                } else {
                    connection.reply(unique, errno);
                }
            } catch (OutOfMemoryError e) {
                connection.reply(unique, Errno.ENOMEM);
            }
        });
        return FuseReply.LATER;
    }

    /** Makes the kernel's size of the device inode reach the region's end: a one-byte store of its last byte. */
    private int extendFileSize(EmulatedRegion region) {
        MemorySegment memory = region.acquire();
        if (memory == null) {
            return Errno.EIO; // released meanwhile
        }
        try (Arena arena = Arena.ofConfined()) {
            long last = region.size() - 1;
            MemorySegment out = fuse_notify_store_out.allocate(arena);
            fuse_notify_store_out.nodeid(out, region.inode());
            fuse_notify_store_out.offset(out, last);
            fuse_notify_store_out.size(out, 1);
            int errno = connection.notify(Fuse.FUSE_NOTIFY_STORE(), out, memory.asSlice(last, 1));
            return errno == 0 ? 0 : Errno.EIO;
        } finally {
            region.release();
        }
    }

    // ---- the host's side (services' threads) ------------------------------------------------------------

    @Override
    int read(long uid, long phys, long offset, MemorySegment dst) {
        checkThread();
        return withRegion(uid, phys, offset, dst.byteSize(),
                (region, memory) -> retrieveRange(region, memory, offset, dst.byteSize(), dst, null));
    }

    @Override
    int scan(long uid, long phys, long offset, long length, Consumer<MemorySegment> reader) {
        checkThread();
        MemorySegment buffer = scanBuffers.get();
        return withRegion(uid, phys, offset, length, (region, memory) -> {
            for (long done = 0; done < length; ) {
                long n = Math.min(buffer.byteSize(), length - done);
                int errno = retrieveRange(region, memory, offset + done, n, buffer.asSlice(0, n), reader);
                if (errno != 0) {
                    return errno;
                }
                done += n;
            }
            return 0;
        });
    }

    /**
     * Fills {@code into} with the {@code length} bytes at {@code offset} as the guest sees them: retrieved
     * from the page cache, or from the region's file for pages that are not cached. With a {@code reader},
     * hands it each piece as it is filled (a read-only view), else only fills.
     */
    private int retrieveRange(EmulatedRegion region, MemorySegment memory, long offset, long length,
                              MemorySegment into, Consumer<MemorySegment> reader) {
        long end = offset + length;
        long pos = offset;
        while (pos < end) {
            // A retrieve covers at most max_pages pages: from an unaligned position that is less than
            // max_write bytes. Asking for no more than fits makes a short answer mean an uncached page.
            int chunk = (int) Math.min(end - pos, FuseConnection.MAX_WRITE - pos % Libc.PAGE_SIZE);
            MemorySegment target = into.asSlice(pos - offset, chunk);
            long got = retrieve(region.inode(), pos, chunk, target);
            boolean nodeGone = got == -Errno.ENOENT;
            if (got < 0 && !nodeGone) {
                return (int) -got;
            }
            if (got == chunk) {
                deliver(reader, target);
                pos += got;
                continue;
            }
            if (got > 0) {
                deliver(reader, target.asSlice(0, got));
                pos += got;
            }
            // The first page the kernel did not have from the file; all the rest when the kernel has dropped
            // the node (nothing is cached then).
            long upTo = nodeGone ? end : Math.min(end, (pos / Libc.PAGE_SIZE + 1) * Libc.PAGE_SIZE);
            MemorySegment fromFile = memory.asSlice(pos, upTo - pos);
            if (reader != null) {
                reader.accept(fromFile.asReadOnly());
            } else {
                MemorySegment.copy(fromFile, 0, into, pos - offset, fromFile.byteSize());
            }
            pos = upTo;
        }
        return 0;
    }

    private static void deliver(Consumer<MemorySegment> reader, MemorySegment piece) {
        if (reader != null && piece.byteSize() > 0) {
            reader.accept(piece.asReadOnly());
        }
    }

    @Override
    int write(long uid, long phys, long offset, MemorySegment src) {
        checkThread();
        return withRegion(uid, phys, offset, src.byteSize(), (region, memory) -> {
            long length = src.byteSize();
            // The file first (a page the store does not reach is read from it on the next fault), registered
            // so that no writeback read before the store completes can undo it.
            HostWriteLog.Entry entry = hostWrites.begin(region, memory, offset, src);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = fuse_notify_store_out.allocate(arena);
                for (long done = 0; done < length; ) {
                    int chunk = (int) Math.min(length - done, FuseConnection.MAX_WRITE);
                    fuse_notify_store_out.nodeid(out, region.inode());
                    fuse_notify_store_out.offset(out, offset + done);
                    fuse_notify_store_out.size(out, chunk);
                    int errno = connection.notify(Fuse.FUSE_NOTIFY_STORE(), out, src.asSlice(done, chunk));
                    if (errno == Errno.ENOENT) {
                        break; // no cached node: the file is all there is
                    }
                    if (errno != 0) {
                        return Errno.EIO;
                    }
                    done += chunk;
                }
            } finally {
                hostWrites.end(entry);
            }
            return 0;
        });
    }

    private void checkThread() {
        if (Thread.currentThread() == requestThread) {
            throw new IllegalStateException("RegionMemory used on the emulator's request thread, which must "
                    + "answer the retrieve it would wait for: use a thread of the service's own");
        }
    }

    /**
     * One NOTIFY_RETRIEVE round trip, the kernel's answer copied into {@code into} by the request thread.
     *
     * @return the number of bytes the kernel returned (fewer than asked when it met an uncached page), or
     *         -errno
     */
    private long retrieve(long nodeId, long offset, int size, MemorySegment into) {
        long unique = nextNotifyUnique.getAndIncrement();
        PendingRetrieve request = new PendingRetrieve(into);
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
            try {
                return request.result.get(RETRIEVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // Either the request thread never takes it now, or it is copying into the memory: wait for that.
                return request.cancel() ? -Errno.EIO : request.result.join();
            }
        } catch (ExecutionException e) {
            return -Errno.EIO;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return request.cancel() ? -Errno.EINTR : request.result.join();
        } finally {
            pending.remove(unique);
        }
    }

    /** The NOTIFY_REPLY handler (request thread): copies the kernel's answer to the waiting retrieve. */
    @Override
    FuseReply onRetrieveReply(FuseRequest request) {
        PendingRetrieve waiting = pending.get(request.unique());
        if (waiting == null || !waiting.claim()) {
            return FuseReply.NONE; // given up meanwhile
        }
        MemorySegment in = request.body();
        long size = Integer.toUnsignedLong(fuse_notify_retrieve_in.size(in));
        MemorySegment data = request.bodyAfter(fuse_notify_retrieve_in.sizeof());
        long n = Math.min(Math.min(size, data.byteSize()), waiting.into.byteSize());
        MemorySegment.copy(data, 0, waiting.into, 0, n);
        waiting.result.complete(n);
        return FuseReply.NONE;
    }

    /**
     * A retrieve waiting for the kernel's answer. Exactly one of the request thread ({@link #claim}, then it
     * copies into {@link #into}) and the waiter giving up ({@link #cancel}) wins, so the memory is never
     * written after the waiter has returned.
     */
    private static final class PendingRetrieve {
        private static final int WAITING = 0;
        private static final int CLAIMED = 1;
        private static final int CANCELLED = 2;

        final MemorySegment into;
        final CompletableFuture<Long> result = new CompletableFuture<>();
        private final AtomicInteger state = new AtomicInteger(WAITING);

        PendingRetrieve(MemorySegment into) {
            this.into = into;
        }

        boolean claim() {
            return state.compareAndSet(WAITING, CLAIMED);
        }

        boolean cancel() {
            return state.compareAndSet(WAITING, CANCELLED);
        }
    }
}
