package dev.goldfishdma.device;

import java.io.IOException;

/**
 * A held {@link DmaRegion#lock()}; closing it issues the driver's UNLOCK and releases the region to the next
 * thread. One instance per region is reused, so locking allocates nothing.
 */
public final class RegionLock implements AutoCloseable {
    private final DmaRegion region;

    RegionLock(DmaRegion region) {
        this.region = region;
    }

    /** {@return the locked region} */
    public DmaRegion region() {
        return region;
    }

    /**
     * Unlocks the region (UNLOCK, then the next waiting thread may lock it).
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the lock
     */
    @Override
    public void close() throws IOException {
        region.unlock();
    }
}
