package dev.goldfishdma.device;

/** How a {@link DmaRegion} is mapped. */
public enum RegionOption {
    /**
     * Map with {@code MAP_POPULATE}: every page is faulted in by {@code mmap} itself, so the first writes to
     * the region pay no page fault. Costs the faults up front, at creation.
     */
    PREFAULT
}
