package dev.goldfishdma.bench;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.device.RegionOption;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A DMA region on the goldfish device, made through the library as a guest driver makes it: open the pipe,
 * connect to {@code opengles}, create and map the region.
 */
final class DeviceRegion implements AutoCloseable {
    /** The service the guest's GL driver connects its DMA pipe to. */
    static final String SERVICE = "opengles";
    /** The region every transfer benchmark moves: the guest library's DMA buffer, 32 MiB. */
    static final int SIZE = Math.toIntExact(DriverRules.DMA_BUFFER_SIZE);

    private final GoldfishPipe pipe;
    private final DmaRegion region;

    private DeviceRegion(GoldfishPipe pipe, DmaRegion region) {
        this.pipe = pipe;
        this.region = region;
    }

    /** Opens a pipe on {@code device} and creates a region of {@code size} bytes on it. */
    static DeviceRegion open(Path device, long size, RegionOption... options) throws IOException {
        GoldfishPipe pipe = GoldfishPipe.open(device, SERVICE);
        try {
            return new DeviceRegion(pipe, pipe.createRegion(size, options));
        } catch (IOException | RuntimeException e) {
            pipe.close();
            throw e;
        }
    }

    DmaRegion region() {
        return region;
    }

    /**
     * Writes one byte in every page of the region, so that page faults (a round trip to the server on the
     * emulated device) happen in setup and not in the timed part.
     */
    void touchEveryPage() {
        MemorySegment segment = region.segment();
        for (long offset = 0; offset < segment.byteSize(); offset += DriverRules.pageSize()) {
            segment.set(JAVA_BYTE, offset, (byte) offset);
        }
    }

    @Override
    public void close() throws IOException {
        region.close();
        pipe.close();
    }
}
