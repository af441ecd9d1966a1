package dev.goldfishdma.bench;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.device.RegionOption;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A DMA region on the goldfish device, made through the library as a guest driver makes it: open the pipe,
 * connect to {@code opengles}, create and map the region.
 */
final class DeviceRegion implements AutoCloseable {
    /** The service the guest's GL driver connects its DMA pipe to. */
    static final String SERVICE = "opengles";

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

    @Override
    public void close() throws IOException {
        region.close();
        pipe.close();
    }
}
