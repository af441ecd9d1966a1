package dev.goldfishdma.device;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Owns the DMA regions of an application. The driver gives each open pipe at most one region, so the
 * manager keeps one pipe per region; it lends regions out ({@link #acquire}), takes them back when the lease
 * is closed, reuses them, replaces a region that is too small, and keeps the total mapped bytes under a
 * limit. {@link #close()} frees everything.
 *
 * {@snippet :
 * try (RegionManager regions = RegionManager.builder(device).service("opengles").build();
 *      RegionLease lease = regions.acquire(1 << 20)) {
 *     DmaRegion region = lease.region();
 *     // write, then hand the host region.physicalAddress()
 * }
 * }
 *
 * <p>Threads: all methods may be called from any thread at once. {@link #acquire} waits while the limit is
 * reached and every region is lent out; creating regions (open, CREATE_REGION, mmap) runs outside the
 * manager's lock, so threads creating regions do not hold each other up. A lease is for one user at a time.
 */
public final class RegionManager implements AutoCloseable {
    private final Path device;
    private final String service;
    private final long maxTotalBytes;
    private final Duration acquireTimeout;
    private final PipeOption[] pipeOptions;
    private final RegionOption[] regionOptions;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private final TreeSet<Entry> idle = new TreeSet<>(Comparator.comparingLong(Entry::size).thenComparingLong(Entry::id));
    private final Set<Entry> lent = new HashSet<>();
    private long totalBytes;
    private final AtomicLong nextId = new AtomicLong();
    private boolean closed;

    private RegionManager(Builder b) {
        this.device = b.device;
        this.service = b.service;
        this.maxTotalBytes = b.maxTotalBytes;
        this.acquireTimeout = b.acquireTimeout;
        this.pipeOptions = b.pipeOptions;
        this.regionOptions = b.regionOptions;
    }

    /**
     * A builder for regions on {@code device}, with the defaults: service {@code opengles}, 1 GiB, 30 s.
     *
     * @param device the goldfish pipe device, e.g. from {@code dev.goldfishdma.emulator.AvailableDevice}
     * @return a builder to adjust the settings, then {@link Builder#build() build}
     */
    public static Builder builder(Path device) {
        return new Builder(device);
    }

    /**
     * Lends a region of at least {@code minBytes} (rounded up to whole pages): the smallest idle region that
     * is large enough, else a new one. Idle regions are closed to make room under the limit; when every byte
     * is lent out, waits for a release up to the acquire timeout.
     *
     * @param minBytes the least size the region must have
     * @return the lease, which {@linkplain RegionLease#close() gives the region back}
     * @throws DeviceException          if opening a pipe or creating a region fails
     * @throws IllegalArgumentException if no region can hold {@code minBytes} (over 256 MiB or the limit)
     * @throws RegionLimitException     if the limit stayed reached for the whole timeout
     * @throws InterruptedException     if interrupted while waiting
     * @throws IllegalStateException    if the manager is closed
     */
    public RegionLease acquire(long minBytes) throws IOException, InterruptedException {
        return new RegionLease(this, acquireEntry(minBytes));
    }

    private Entry acquireEntry(long minBytes) throws IOException, InterruptedException {
        long size = DriverRules.regionSizeFor(minBytes);
        if (size > maxTotalBytes) {
            throw new IllegalArgumentException("a region of " + size + " bytes exceeds this manager's limit of "
                    + maxTotalBytes + " bytes");
        }
        List<Entry> evicted = new ArrayList<>();
        lock.lock();
        try {
            long waitNanos = saturatedNanos(acquireTimeout);
            long start = System.nanoTime();
            while (true) {
                ensureOpen();
                Entry fit = idle.ceiling(new Entry(size, -1, null, null));
                if (fit != null) {
                    idle.remove(fit);
                    if (!fit.isUsable()) {
                        // Closed by its last borrower after the lease ended: never lent again.
                        totalBytes -= fit.size();
                        evicted.add(fit);
                        continue;
                    }
                    lent.add(fit);
                    return fit;
                }
                while (totalBytes + size > maxTotalBytes && !idle.isEmpty()) {
                    Entry victim = idle.pollFirst();
                    totalBytes -= victim.size();
                    evicted.add(victim);
                }
                if (totalBytes + size <= maxTotalBytes) {
                    totalBytes += size;
                    break;
                }
                long left = waitNanos - (System.nanoTime() - start);
                if (left <= 0) {
                    throw new RegionLimitException("no room for a region of " + size + " bytes: " + totalBytes
                            + " of " + maxTotalBytes + " bytes are lent out, and none came back within "
                            + acquireTimeout);
                }
                released.awaitNanos(left);
            }
        } finally {
            lock.unlock();
            evicted.forEach(Entry::close);
        }
        return create(size);
    }

    /** Opens a pipe and creates a region on it; {@code size} bytes are already counted. */
    private Entry create(long size) throws IOException {
        Entry entry;
        try {
            entry = open(size);
        } catch (IOException | RuntimeException | Error e) {
            unreserve(size);
            throw e;
        }
        lock.lock();
        try {
            if (!closed) {
                lent.add(entry);
                return entry;
            }
        } finally {
            lock.unlock();
        }
        entry.close();
        throw new IllegalStateException("the region manager is closed");
    }

    private Entry open(long size) throws IOException {
        GoldfishPipe pipe = GoldfishPipe.open(device, service, pipeOptions);
        try {
            return new Entry(size, nextId.getAndIncrement(), pipe, pipe.createRegion(size, regionOptions));
        } catch (IOException | RuntimeException | Error e) {
            pipe.close();
            throw e;
        }
    }

    private void unreserve(long size) {
        lock.lock();
        try {
            if (!closed) {
                totalBytes -= size;
            }
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void release(Entry entry) {
        boolean close;
        lock.lock();
        try {
            if (!lent.remove(entry)) {
                return;
            }
            close = closed || !entry.isUsable();
            if (close) {
                totalBytes -= entry.size();
            } else {
                idle.add(entry);
            }
            released.signalAll();
        } finally {
            lock.unlock();
        }
        if (close) {
            entry.close();
        }
    }

    Entry replace(Entry old, long minBytes) throws IOException, InterruptedException {
        lock.lock();
        try {
            if (lent.remove(old) && !closed) {
                totalBytes -= old.size();
                released.signalAll();
            }
        } finally {
            lock.unlock();
        }
        old.close();
        return acquireEntry(minBytes);
    }

    /** {@code timeout} in nanoseconds, at most {@link Long#MAX_VALUE} (about 292 years: no limit). */
    private static long saturatedNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the region manager is closed");
        }
    }

    /** {@return bytes of all regions, lent out or idle} */
    public long totalBytes() {
        lock.lock();
        try {
            return totalBytes;
        } finally {
            lock.unlock();
        }
    }

    /** {@return the limit on {@link #totalBytes()}} */
    public long maxTotalBytes() {
        return maxTotalBytes;
    }

    /** {@return how many regions are lent out now} */
    public int lentCount() {
        lock.lock();
        try {
            return lent.size();
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many regions wait in the pool} */
    public int idleCount() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes every region and pipe, lent out or not (a lent region becomes unusable: accesses throw
     * {@link IllegalStateException}), and wakes threads waiting in {@link #acquire}. Idempotent.
     */
    @Override
    public void close() {
        List<Entry> all = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            all.addAll(idle);
            all.addAll(lent);
            idle.clear();
            lent.clear();
            totalBytes = 0;
            released.signalAll();
        } finally {
            lock.unlock();
        }
        all.forEach(Entry::close);
    }

    /** A pooled pipe and its region. */
    record Entry(long size, long id, GoldfishPipe pipe, DmaRegion region) {
        /** Whether the region and its pipe are both still open: a borrower may have closed either. */
        boolean isUsable() {
            return region.isOpen() && pipe.isOpen();
        }

        void close() {
            try {
                pipe.close();
            } catch (IOException e) {
                System.getLogger(RegionManager.class.getName()).log(System.Logger.Level.WARNING,
                        "closing a pooled pipe", e);
            }
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id);
        }
    }

    /** Settings of a {@link RegionManager}. */
    public static final class Builder {
        private final Path device;
        private String service = "opengles";
        private long maxTotalBytes = 1L << 30;
        private Duration acquireTimeout = Duration.ofSeconds(30);
        private PipeOption[] pipeOptions = {};
        private RegionOption[] regionOptions = {};

        private Builder(Path device) {
            this.device = Objects.requireNonNull(device, "device");
        }

        /**
         * The host service each region's pipe connects to; default {@code opengles}, as the guest GL library.
         *
         * @param service the service name
         * @return this builder
         * @throws IllegalArgumentException if {@code service} breaks the service name rule of {@link DriverRules}
         *                                  (checked here, not at the first {@link #acquire})
         */
        public Builder service(String service) {
            DriverRules.checkServiceName(service);
            this.service = service;
            return this;
        }

        /**
         * The most bytes of regions the manager keeps, lent out and idle together; default 1 GiB.
         *
         * @param maxTotalBytes the limit, positive
         * @return this builder
         */
        public Builder maxTotalBytes(long maxTotalBytes) {
            if (maxTotalBytes < DriverRules.pageSize()) {
                throw new IllegalArgumentException("maxTotalBytes must hold at least one page: " + maxTotalBytes);
            }
            this.maxTotalBytes = maxTotalBytes;
            return this;
        }

        /**
         * How long {@link #acquire} waits for room under the limit; default 30 seconds. Any length is taken: one
         * too long to count in nanoseconds (about 292 years) means no limit.
         *
         * @param acquireTimeout the longest wait, not negative
         * @return this builder
         */
        public Builder acquireTimeout(Duration acquireTimeout) {
            if (acquireTimeout.isNegative()) {
                throw new IllegalArgumentException("negative timeout: " + acquireTimeout);
            }
            this.acquireTimeout = acquireTimeout;
            return this;
        }

        /**
         * Options for each region's pipe.
         *
         * @param options the options, replacing any given before
         * @return this builder
         */
        public Builder pipeOptions(PipeOption... options) {
            this.pipeOptions = options.clone();
            return this;
        }

        /**
         * Options for each region, e.g. {@link RegionOption#PREFAULT}.
         *
         * @param options the options, replacing any given before
         * @return this builder
         */
        public Builder regionOptions(RegionOption... options) {
            this.regionOptions = options.clone();
            return this;
        }

        /** {@return the manager, with these settings; it opens nothing yet} */
        public RegionManager build() {
            return new RegionManager(this);
        }

        @Override
        public String toString() {
            return "RegionManager.Builder[device=" + device + ", service=" + service + ", maxTotalBytes="
                    + maxTotalBytes + ", acquireTimeout=" + acquireTimeout + ", pipeOptions="
                    + Arrays.toString(pipeOptions) + ", regionOptions=" + Arrays.toString(regionOptions) + "]";
        }
    }
}
