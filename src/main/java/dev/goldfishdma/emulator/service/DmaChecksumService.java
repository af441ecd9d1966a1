package dev.goldfishdma.emulator.service;

import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.service.DmaServiceProtocol;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32C;

/**
 * The {@code dma} service: reads and writes guest DMA regions by physical address, as the commands of
 * {@link DmaServiceProtocol} ask, and answers with a status and a CRC-32C.
 *
 * <p>Commands are carried out in order on one thread per pipe, never on the emulator's request thread,
 * because {@link RegionMemory} may wait for that thread.
 */
public final class DmaChecksumService implements HostService {
    /**
     * Bytes the service stages per step of a checksum or fill: one buffer of this size per pipe. Cutting the
     * copy further, where the memory needs it, is the memory's business.
     */
    private static final int STAGING_SIZE = 1 << 20;

    /** Creates the service. */
    public DmaChecksumService() {
    }

    @Override
    public String name() {
        return DmaServiceProtocol.SERVICE_NAME;
    }

    @Override
    public Session connect(HostEnd pipe) {
        return new DmaSession(pipe);
    }

    private static final class DmaSession implements Session {
        private final HostEnd pipe;
        private final byte[] pending = new byte[DmaServiceProtocol.COMMAND_SIZE];
        private int pendingLength;
        private final ExecutorService worker;
        private MemorySegment buffer;

        DmaSession(HostEnd pipe) {
            this.pipe = pipe;
            this.worker = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, "goldfish-dma-pipe-" + pipe.id());
                thread.setDaemon(true);
                return thread;
            });
        }

        @Override
        public void onGuestWrite(MemorySegment data) {
            // Commands may arrive split over writes or several to a write: cut them at COMMAND_SIZE.
            long offset = 0;
            while (offset < data.byteSize()) {
                int n = (int) Math.min(pending.length - pendingLength, data.byteSize() - offset);
                MemorySegment.copy(data, offset, MemorySegment.ofArray(pending), pendingLength, n);
                pendingLength += n;
                offset += n;
                if (pendingLength == pending.length) {
                    byte[] command = pending.clone();
                    pendingLength = 0;
                    worker.execute(() -> answer(MemorySegment.ofArray(command)));
                }
            }
        }

        @Override
        public void onGuestClose() {
            worker.shutdown();
        }

        private void answer(MemorySegment command) {
            long phys = DmaServiceProtocol.decodePhys(command);
            long offset = DmaServiceProtocol.decodeOffset(command);
            long length = DmaServiceProtocol.decodeLength(command);
            int op = DmaServiceProtocol.decodeOp(command);
            int status;
            CRC32C crc = new CRC32C();
            long regionSize = pipe.memory().regionSize(phys);
            if (regionSize < 0 || offset < 0 || length < 0 || offset > regionSize || length > regionSize - offset) {
                status = Errno.EINVAL;
            } else if (op == DmaServiceProtocol.OP_CRC) {
                status = checksum(phys, offset, length, crc);
            } else if (op == DmaServiceProtocol.OP_FILL) {
                status = fill(DmaServiceProtocol.decodeSeed(command), phys, offset, length, crc);
            } else {
                status = Errno.EINVAL;
            }
            MemorySegment answer = MemorySegment.ofArray(new byte[DmaServiceProtocol.ANSWER_SIZE]);
            DmaServiceProtocol.encodeAnswer(answer, status, status == 0 ? crc.getValue() : 0);
            pipe.sendToGuest(answer);
        }

        private int checksum(long phys, long offset, long length, CRC32C crc) {
            // The region's bytes in place where the memory model allows it (no copy), else in pieces.
            return pipe.memory().scan(phys, offset, length, piece -> crc.update(piece.asByteBuffer()));
        }

        private int fill(int seed, long phys, long offset, long length, CRC32C crc) {
            MemorySegment chunkBuffer = buffer();
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(STAGING_SIZE, length - done);
                MemorySegment chunk = chunkBuffer.asSlice(0, n);
                DmaServiceProtocol.fillPattern(chunk, seed, done);
                int status = pipe.memory().write(phys, offset + done, chunk);
                if (status != 0) {
                    return status;
                }
                crc.update(chunk.asByteBuffer());
                done += n;
            }
            return 0;
        }

        private MemorySegment buffer() {
            if (buffer == null) {
                buffer = Arena.ofAuto().allocate(STAGING_SIZE);
            }
            return buffer;
        }
    }
}
