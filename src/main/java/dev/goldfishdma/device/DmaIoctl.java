package dev.goldfishdma.device;

import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.gen.dma.goldfish_dma_ioctl_info;
import dev.goldfishdma.libc.IoctlRequest;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * The driver's four DMA ioctls, with their request numbers from the generated bindings, and the
 * {@code struct goldfish_dma_ioctl_info} they all take.
 */
enum DmaIoctl {
    LOCK(GoldfishDma.GOLDFISH_DMA_IOC_LOCK()),
    UNLOCK(GoldfishDma.GOLDFISH_DMA_IOC_UNLOCK()),
    GETOFF(GoldfishDma.GOLDFISH_DMA_IOC_GETOFF()),
    CREATE_REGION(GoldfishDma.GOLDFISH_DMA_IOC_CREATE_REGION());

    /** The size of the argument struct, in bytes. */
    static final long ARGUMENT_SIZE = goldfish_dma_ioctl_info.sizeof();

    private final long request;
    private final String description;

    DmaIoctl(long request) {
        this.request = request;
        this.description = "GOLDFISH_DMA_IOC_" + name() + " = " + IoctlRequest.describe(request);
    }

    /** The request number. */
    long request() {
        return request;
    }

    /** The macro's name, e.g. {@code GOLDFISH_DMA_IOC_GETOFF}. */
    String macroName() {
        return "GOLDFISH_DMA_IOC_" + name();
    }

    /** E.g. {@code GOLDFISH_DMA_IOC_LOCK = 0xc0104700 (_IOWR('G', 0, 16))}. */
    String describe() {
        return description;
    }

    /** A zeroed argument struct. */
    static MemorySegment newArgument(SegmentAllocator allocator) {
        return goldfish_dma_ioctl_info.allocate(allocator);
    }

    /** Sets the argument's {@code size}, what CREATE_REGION reads. */
    static void setSize(MemorySegment argument, long size) {
        goldfish_dma_ioctl_info.size(argument, size);
    }

    /** Sets both fields, so that a GETOFF that writes nothing back shows. */
    static void fill(MemorySegment argument, long value) {
        goldfish_dma_ioctl_info.phys_begin(argument, value);
        goldfish_dma_ioctl_info.size(argument, value);
    }

    /** What GETOFF wrote into the argument. */
    static RegionInfo regionInfo(MemorySegment argument) {
        return new RegionInfo(goldfish_dma_ioctl_info.phys_begin(argument), goldfish_dma_ioctl_info.size(argument));
    }
}
