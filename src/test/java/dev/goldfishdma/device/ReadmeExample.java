package dev.goldfishdma.device;

import dev.goldfishdma.service.DmaServiceProtocol;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The example shown in README.md and in the package overview. {@link ReadmeExampleTest} runs it against the
 * emulated device and checks that the README shows these very lines.
 */
final class ReadmeExample {
    private ReadmeExample() {
    }

    static void uploadAndLetTheHostCheck(Path device) throws IOException {
        // @start region="example"
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
        // @end
    }
}
