package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.EmulatedRegion;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Keeps the kernel's writeback from undoing the host's writes into a page-cache region.
 *
 * <p>The race: a writeback WRITE carries a page as it was when the emulator read the request from
 * {@code /dev/fuse} (since Linux 6.14 the kernel writes back the page-cache folio itself and copies it out
 * during that read(2); the folio stays under writeback, write-protected, until the answer). A host write
 * stores into the same page with FUSE_NOTIFY_STORE, which does not wait for writeback. When the store
 * lands after the emulator read the WRITE but before it applied it, applying it would put the page's older
 * bytes into the region file while the page itself shows the host's bytes and turns clean; once the kernel
 * drops the page, the next touch refetches the older bytes from the file and the host's write is lost.
 *
 * <p>The cure orders the two by the connection's count of reads ({@link FuseConnection#readsStarted()},
 * taken just before each read(2)): a host write registers its range before it touches the file
 * ({@link #begin}), and records the count once its store has completed ({@link #end}). A writeback read as
 * request {@code r} leaves alone the bytes of every host write still under way, or completed when the
 * count was {@code r} or more (that read may have started before the store). Those bytes are right in the
 * file already; if the guest changes them again, the page is dirty again and comes back in a later
 * writeback. Requests are handled in the order read, one at a time, so an entry matters only until the
 * request thread has handled request {@code end}: the log holds no more than the host writes of the last
 * few requests' time.
 *
 * <p>Kernels before 6.14 copy a page into a temporary page when its writeback starts, earlier than the
 * read; there a store between that copy and the read is not caught.
 */
final class HostWriteLog {
    /** One host write, from {@link #begin} on. */
    static final class Entry {
        final EmulatedRegion region;
        final long start;
        final long end;
        boolean done;
        long doneAt;

        Entry(EmulatedRegion region, long start, long end) {
            this.region = region;
            this.start = start;
            this.end = end;
        }
    }

    private final FuseConnection connection;
    private final List<Entry> entries = new ArrayList<>();

    HostWriteLog(FuseConnection connection) {
        this.connection = connection;
    }

    /**
     * A host write of {@code [offset, offset + src.byteSize())} of {@code region} starts: registers it and
     * copies {@code src} into the region's {@code memory}, both before any writeback can be applied in
     * between.
     *
     * @return the entry to {@link #end} once the bytes are stored in the page cache too
     */
    synchronized Entry begin(EmulatedRegion region, MemorySegment memory, long offset, MemorySegment src) {
        long handled = connection.handledThrough();
        entries.removeIf(e -> e.done && e.doneAt <= handled);
        Entry entry = new Entry(region, offset, offset + src.byteSize());
        entries.add(entry);
        MemorySegment.copy(src, 0, memory, offset, src.byteSize());
        return entry;
    }

    /** The host write {@code entry} has stored its bytes into the page cache (or given up). */
    synchronized void end(Entry entry) {
        entry.done = true;
        entry.doneAt = connection.readsStarted();
    }

    /**
     * Applies writeback {@code data} for {@code [offset, offset + data.byteSize())} of {@code region} to its
     * {@code memory}, except the bytes of host writes it may be older than.
     *
     * @param sequence the WRITE request's {@link FuseRequest#sequence()}
     */
    synchronized void applyWriteBack(EmulatedRegion region, MemorySegment memory, long offset, MemorySegment data,
                                     long sequence) {
        long end = offset + data.byteSize();
        List<Entry> skip = null;
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.done && e.doneAt < sequence) {
                it.remove(); // stored before this read started: older than this and every later writeback
                continue;
            }
            if (e.region == region && e.start < end && e.end > offset) {
                if (skip == null) {
                    skip = new ArrayList<>();
                }
                skip.add(e);
            }
        }
        if (skip == null) {
            MemorySegment.copy(data, 0, memory, offset, data.byteSize());
            return;
        }
        skip.sort(Comparator.comparingLong(e -> e.start));
        long pos = offset;
        for (Entry e : skip) {
            if (e.start > pos) {
                MemorySegment.copy(data, pos - offset, memory, pos, e.start - pos);
            }
            pos = Math.max(pos, e.end);
            if (pos >= end) {
                return;
            }
        }
        MemorySegment.copy(data, pos - offset, memory, pos, end - pos);
    }
}
