package dev.goldfishdma.bindings;

import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.gen.dma.goldfish_dma_ioctl_info;
import dev.goldfishdma.libc.IoctlRequest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The generated goldfish bindings against the uapi header's ABI, checked independently of jextract. */
class GeneratedBindingsTest {
    private static final StructLayout INFO = (StructLayout) goldfish_dma_ioctl_info.layout();

    @Test
    void ioctlInfoIsTwoU64sIn16Bytes() {
        assertEquals(16, INFO.byteSize());
        assertEquals(16, goldfish_dma_ioctl_info.sizeof());
        assertEquals(0, INFO.byteOffset(PathElement.groupElement("phys_begin")));
        assertEquals(8, INFO.byteOffset(PathElement.groupElement("size")));
        assertEquals(0, goldfish_dma_ioctl_info.phys_begin$offset());
        assertEquals(8, goldfish_dma_ioctl_info.size$offset());
        assertEquals(8, goldfish_dma_ioctl_info.phys_begin$layout().byteSize());
        assertEquals(8, goldfish_dma_ioctl_info.size$layout().byteSize());
        assertEquals(8, INFO.byteAlignment());
    }

    @Test
    void requestNumbersAreTheDocumentedValues() {
        assertEquals(0xC0104700L, GoldfishDma.GOLDFISH_DMA_IOC_LOCK());
        assertEquals(0xC0104701L, GoldfishDma.GOLDFISH_DMA_IOC_UNLOCK());
        assertEquals(0xC0104702L, GoldfishDma.GOLDFISH_DMA_IOC_GETOFF());
        assertEquals(0xC0104703L, GoldfishDma.GOLDFISH_DMA_IOC_CREATE_REGION());
    }

    @Test
    void requestNumbersAreIowrOfTheLayoutSize() {
        int magic = GoldfishDma.GOLDFISH_DMA_IOC_MAGIC();
        assertEquals('G', magic);
        long size = INFO.byteSize();
        assertEquals(IoctlRequest.iowr(magic, 0, size), GoldfishDma.GOLDFISH_DMA_IOC_LOCK());
        assertEquals(IoctlRequest.iowr(magic, 1, size), GoldfishDma.GOLDFISH_DMA_IOC_UNLOCK());
        assertEquals(IoctlRequest.iowr(magic, 2, size), GoldfishDma.GOLDFISH_DMA_IOC_GETOFF());
        assertEquals(IoctlRequest.iowr(magic, 3, size), GoldfishDma.GOLDFISH_DMA_IOC_CREATE_REGION());
    }

    @Test
    void requestNumbersDecodeToReadWriteOfTheStruct() {
        long create = GoldfishDma.GOLDFISH_DMA_IOC_CREATE_REGION();
        assertEquals(IoctlRequest.IOC_READ | IoctlRequest.IOC_WRITE, IoctlRequest.direction(create));
        assertEquals('G', IoctlRequest.type(create));
        assertEquals(3, IoctlRequest.number(create));
        assertEquals(16, IoctlRequest.size(create));
        assertEquals("0xc0104703 (_IOWR('G', 3, 16))", IoctlRequest.describe(create));
    }

    @Test
    void describeNamesEachDirectionByItsMacro() {
        // _IOR: the kernel writes the argument (the caller reads it); _IOW: the kernel reads it.
        assertEquals("0x80104701 (_IOR('G', 1, 16))",
                IoctlRequest.describe(IoctlRequest.ioc(IoctlRequest.IOC_READ, 'G', 1, 16)));
        assertEquals("0x40104701 (_IOW('G', 1, 16))",
                IoctlRequest.describe(IoctlRequest.ioc(IoctlRequest.IOC_WRITE, 'G', 1, 16)));
        assertEquals("0x4701 (_IO('G', 1))", IoctlRequest.describe(IoctlRequest.ioc(0, 'G', 1, 0)));
    }

    @Test
    void bufferSizeIs32MiB() {
        assertEquals(32 * 1024 * 1024, GoldfishDma.GOLDFISH_DMA_BUFFER_SIZE());
    }
}
