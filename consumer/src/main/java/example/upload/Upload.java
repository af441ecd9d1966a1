package example.upload;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.device.RegionLock;
import dev.goldfishdma.emulator.AvailableDevice;
import dev.goldfishdma.service.DmaServiceProtocol;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

public final class Upload {
    public static void main(String[] args) throws IOException {
        // The real device in an emulator guest; elsewhere an emulated one, served by a child process.
        try (AvailableDevice device = AvailableDevice.choose()) {
            uploadAndLetTheHostCheck(device.path());
            System.out.println("the host read what was written, through " + device);
        }
    }

    /** Writes into a DMA region, tells the host where it is, and lets the host check what it read. */
    public static void uploadAndLetTheHostCheck(Path device) throws IOException {
        byte[] data = "hello, host".getBytes(StandardCharsets.UTF_8);
        try (GoldfishPipe pipe = GoldfishPipe.open(device, "dma");   // a pipe to a host service
             DmaRegion region = pipe.createRegion(1 << 20);           // 1 MiB, mapped, host-visible
             Arena arena = Arena.ofConfined()) {
            try (RegionLock held = region.lock()) {                   // LOCK ... UNLOCK
                region.write(0, data, 0, data.length);                // bounds-checked copy
            }
            // Tell the host where to look, in the service's own protocol (here: the emulator's checksum service).
            MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
            DmaServiceProtocol.encodeCrc(command, region.physicalAddress(), 0, data.length);
            pipe.write(command);
            MemorySegment answer = arena.allocate(DmaServiceProtocol.ANSWER_SIZE);
            pipe.readFully(answer);

            CRC32C crc = new CRC32C();
            crc.update(data);
            if (DmaServiceProtocol.decodeCrc(answer) != crc.getValue()) {
                throw new IOException("the host read something else than was written");
            }
        }
    }
}
