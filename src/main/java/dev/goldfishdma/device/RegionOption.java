package dev.goldfishdma.device;

/** How a {@link DmaRegion} is mapped. */
public enum RegionOption {
    /**
     * Map with {@code MAP_POPULATE}: {@code mmap} itself faults every page in, so first reads of the region
     * pay no page fault; the cost moves to creation. For a shared mapping the kernel populates pages for
     * reading only: where the memory is page cache (the emulated device), the first write to each page still
     * takes a fault that marks it dirty. The driver maps the whole region at mmap, so there it changes little.
     */
    PREFAULT
}
