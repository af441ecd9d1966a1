package dev.goldfishdma.device;

import dev.goldfishdma.service.DmaServiceProtocol;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/** Asks the emulated host's {@code dma} service about a region, over the region's own pipe. */
final class HostChecksums {
    private HostChecksums() {
    }

    /** The host's CRC32C of {@code length} bytes at {@code offset} of the region at {@code phys}. */
    static long crc(GoldfishPipe pipe, long phys, long offset, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
            DmaServiceProtocol.encodeCrc(command, phys, offset, length);
            MemorySegment answer = exchange(pipe, command, arena);
            int status = DmaServiceProtocol.decodeStatus(answer);
            if (status != 0) {
                throw new IOException("host answered status " + status + " for CRC of " + length + " bytes at 0x"
                        + Long.toHexString(phys) + "+" + offset);
            }
            return DmaServiceProtocol.decodeCrc(answer);
        }
    }

    /** Makes the host write its pattern into the region; returns the host's CRC32C of what it wrote. */
    static long fill(GoldfishPipe pipe, int seed, long phys, long offset, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
            DmaServiceProtocol.encodeFill(command, seed, phys, offset, length);
            MemorySegment answer = exchange(pipe, command, arena);
            int status = DmaServiceProtocol.decodeStatus(answer);
            if (status != 0) {
                throw new IOException("host answered status " + status + " for FILL");
            }
            return DmaServiceProtocol.decodeCrc(answer);
        }
    }

    private static MemorySegment exchange(GoldfishPipe pipe, MemorySegment command, Arena arena) throws IOException {
        pipe.write(command);
        MemorySegment answer = arena.allocate(DmaServiceProtocol.ANSWER_SIZE);
        pipe.readFully(answer);
        return answer;
    }

    /** The CRC32C of {@code length} bytes of {@code data} from {@code offset}. */
    static long local(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return crc.getValue();
    }

    /** The CRC32C of a segment's bytes. */
    static long local(MemorySegment data) {
        CRC32C crc = new CRC32C();
        crc.update(data.asByteBuffer());
        return crc.getValue();
    }
}
