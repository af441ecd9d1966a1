package dev.goldfishdma.device;

/**
 * What the driver reports for a pipe's region ({@code GOLDFISH_DMA_IOC_GETOFF}).
 *
 * @param physicalAddress the guest physical address of the region; 0 while the driver has no memory for it
 *                        (no region, or a region not yet mapped)
 * @param size            the region's size in bytes; 0 when the pipe has no region
 */
public record RegionInfo(long physicalAddress, long size) {
    /** {@return whether the driver has allocated the region's memory} */
    public boolean allocated() {
        return physicalAddress != 0;
    }

    @Override
    public String toString() {
        return "RegionInfo[physicalAddress=0x" + Long.toHexString(physicalAddress) + ", size=" + size + "]";
    }
}
