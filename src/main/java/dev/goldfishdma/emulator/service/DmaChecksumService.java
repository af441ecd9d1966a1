package dev.goldfishdma.emulator.service;

import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.service.DmaServiceProtocol;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * The {@code dma} service: reads and writes guest DMA regions by physical address, as the commands of
 * {@link DmaServiceProtocol} ask, and answers with a status and a CRC-32C.
 *
 * <p>Commands are carried out in order on the pipe's lane of the emulator's service threads
 * ({@link HostEnd#executor()}), never on the emulator's request thread, because {@link RegionMemory} may wait
 * for that thread. A pipe has at most {@link ServiceLimits#queuedCommands()} commands taken and not yet
 * answered, and no more than the room their answers need in the pipe: a guest that sends more without
 * reading the answers waits (EAGAIN under O_NONBLOCK) until answers go out and it reads them. A command
 * that fails unexpectedly (an OutOfMemoryError included) is answered with EIO (ENOMEM) as its status.
 */
public final class DmaChecksumService implements HostService {
    /**
     * Bytes the service stages per step of a fill: one buffer of this size per service thread. Cutting the
     * copy further, where the memory needs it, is the memory's business.
     */
    private static final int STAGING_SIZE = 1 << 20;
    private static final ThreadLocal<MemorySegment> STAGING = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(STAGING_SIZE));

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
        private final int maxQueued;
        // pending and pendingLength: only under the pipe's lock (onGuestWrite, writable).
        private final byte[] pending = new byte[DmaServiceProtocol.COMMAND_SIZE];
        private int pendingLength;
        /** Commands taken and not yet answered. */
        private final AtomicInteger unanswered = new AtomicInteger();
        private volatile boolean closed;

        DmaSession(HostEnd pipe) {
            this.pipe = pipe;
            this.maxQueued = pipe.limits().queuedCommands();
        }

        @Override
        public long writable() {
            int outstanding = unanswered.get();
            // Every command taken will need the room of its answer, so count the answers still to come.
            long answersThatFit = pipe.room() / DmaServiceProtocol.ANSWER_SIZE - outstanding;
            long commands = Math.min(maxQueued - outstanding, answersThatFit);
            return Math.max(0, commands * DmaServiceProtocol.COMMAND_SIZE - pendingLength);
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
                    unanswered.incrementAndGet();
                    try {
                        pipe.executor().execute(() -> answer(MemorySegment.ofArray(command)));
                    } catch (RuntimeException e) {
                        unanswered.decrementAndGet();
                        throw e;
                    }
                }
            }
        }

        @Override
        public void onGuestClose() {
            closed = true;
        }

        private void answer(MemorySegment command) {
            if (closed) {
                return;
            }
            int status;
            long crc = 0;
            try {
                CRC32C checksum = new CRC32C();
                status = carryOut(command, checksum);
                crc = checksum.getValue();
            } catch (OutOfMemoryError e) {
                status = Errno.ENOMEM;
            } catch (RuntimeException e) {
                status = Errno.EIO;
            }
            MemorySegment answer = MemorySegment.ofArray(new byte[DmaServiceProtocol.ANSWER_SIZE]);
            DmaServiceProtocol.encodeAnswer(answer, status, status == 0 ? crc : 0);
            boolean sent = pipe.sendToGuest(answer);
            unanswered.decrementAndGet();
            if (!sent && !closed) {
                // Room for the answer was kept when the command was taken, so only a closed pipe gets here.
                pipe.closeFromHost();
            }
            pipe.resumeGuestWrites();
        }

        private int carryOut(MemorySegment command, CRC32C crc) {
            long phys = DmaServiceProtocol.decodePhys(command);
            long offset = DmaServiceProtocol.decodeOffset(command);
            long length = DmaServiceProtocol.decodeLength(command);
            int op = DmaServiceProtocol.decodeOp(command);
            long regionSize = pipe.memory().regionSize(phys);
            if (regionSize < 0 || offset < 0 || length < 0 || offset > regionSize || length > regionSize - offset) {
                return Errno.EINVAL;
            } else if (op == DmaServiceProtocol.OP_CRC) {
                return checksum(phys, offset, length, crc);
            } else if (op == DmaServiceProtocol.OP_FILL) {
                return fill(DmaServiceProtocol.decodeSeed(command), phys, offset, length, crc);
            }
            return Errno.EINVAL;
        }

        private int checksum(long phys, long offset, long length, CRC32C crc) {
            // The region's bytes in place where the memory model allows it (no copy), else in pieces.
            return pipe.memory().scan(phys, offset, length, piece -> crc.update(piece.asByteBuffer()));
        }

        private int fill(int seed, long phys, long offset, long length, CRC32C crc) {
            MemorySegment chunkBuffer = STAGING.get();
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
    }
}
