package dev.goldfishdma.emulator.model;

import dev.goldfishdma.device.DriverRules;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's map from guest physical address to live region, shared by every pipe of one emulator, and the
 * allocator of those addresses. A region is found only by the uid that owns it ({@link EmulatedRegion#owner()}):
 * to any other uid its address is as unknown as a free one, so that nothing tells one user's regions apart
 * from no region.
 *
 * <p>Addresses are fake but shaped like the driver's: page aligned, unique while the emulator runs (never
 * reused, so a stale address from a closed pipe finds nothing), with a free page between regions so that
 * an off-by-one address never lands in a neighbour.
 */
public final class RegionTable {
    /** Where the first region goes: above the first 2 GiB, as guest RAM would put it. */
    static final long FIRST_PHYS = 0x8000_0000L;

    private final Map<Long, EmulatedRegion> byPhys = new ConcurrentHashMap<>();
    private long nextPhys = FIRST_PHYS;

    /** An empty table. */
    public RegionTable() {
    }

    synchronized long allocatePhys(long size) {
        long page = DriverRules.pageSize();
        long phys = nextPhys;
        nextPhys += (size + page - 1) / page * page + page;
        return phys;
    }

    void register(long phys, EmulatedRegion region) {
        byPhys.put(phys, region);
    }

    void unregister(long phys, EmulatedRegion region) {
        byPhys.remove(phys, region);
    }

    /**
     * The live region starting at {@code phys} if {@code uid} owns it, else null (none there, or another
     * user's).
     *
     * @param phys a guest physical address
     * @param uid  the user asking: the uid of the pipe whose service looks the address up
     * @return the region, or null
     */
    public EmulatedRegion lookup(long phys, long uid) {
        EmulatedRegion region = byPhys.get(phys);
        return region != null && region.owner() == uid ? region : null;
    }
}
