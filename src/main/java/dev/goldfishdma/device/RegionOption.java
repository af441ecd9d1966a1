package dev.goldfishdma.device;

/** How a {@link DmaRegion} is mapped. */
public enum RegionOption {
    /**
     * Fault every page of the region in, writable, right after mapping it ({@code madvise(MADV_POPULATE_WRITE)},
     * Linux 5.14+), so that first writes pay no page fault; the cost moves to creation. A page the device
     * cannot supply makes {@link GoldfishPipe#createRegion} fail with the {@code madvise} error (e.g.
     * {@code EFAULT}, {@code ENOMEM}) instead of hanging or leaving a SIGBUS for later; on an older kernel
     * nothing is prefaulted. The driver maps the whole region at mmap, so there it changes little.
     */
    PREFAULT
}
