package dev.goldfishdma.device;

import java.io.IOException;

/**
 * A region lent by a {@link RegionManager}, for one user at a time. Closing the lease gives the region back
 * to the pool (without clearing it: the next user sees old data until it overwrites it). Always close leases:
 * a lease that is dropped keeps its region out of the pool until the manager closes.
 */
public final class RegionLease implements AutoCloseable {
    private final RegionManager manager;
    private RegionManager.Entry entry;

    RegionLease(RegionManager manager, RegionManager.Entry entry) {
        this.manager = manager;
        this.entry = entry;
    }

    /**
     * The leased region, at least as large as asked.
     *
     * @return the leased region
     * @throws IllegalStateException if the lease was closed
     */
    public synchronized DmaRegion region() {
        if (entry == null) {
            throw new IllegalStateException("the region lease is closed");
        }
        return entry.region();
    }

    /**
     * Makes sure the leased region holds at least {@code minBytes}: a smaller one is closed and replaced by a
     * new one, as the driver cannot resize a region. The contents are not carried over. If no new region can
     * be had, the old one is gone all the same and the lease is closed.
     *
     * @param minBytes the least size the region must have
     * @return the region, new or not
     * @throws DeviceException if a new region cannot be had
     * @throws RegionLimitException if the manager's limit leaves no room for it in time
     * @throws InterruptedException if interrupted while waiting for room
     */
    public synchronized DmaRegion ensureCapacity(long minBytes) throws IOException, InterruptedException {
        DmaRegion current = region();
        if (current.size() >= minBytes) {
            return current;
        }
        RegionManager.Entry old = entry;
        entry = null;
        entry = manager.replace(old, minBytes);
        return entry.region();
    }

    /** Gives the region back to the manager's pool. Idempotent. */
    @Override
    public synchronized void close() {
        if (entry != null) {
            manager.release(entry);
            entry = null;
        }
    }
}
