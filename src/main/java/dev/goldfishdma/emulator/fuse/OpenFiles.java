package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.DmaIoctls;
import dev.goldfishdma.emulator.model.EmulatedPipe;
import dev.goldfishdma.emulator.model.GoldfishDevice;
import dev.goldfishdma.emulator.model.IoctlResult;
import dev.goldfishdma.emulator.model.PipeRead;
import dev.goldfishdma.emulator.model.PipeWrite;
import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.emulator.fuse.gen.fuse_ioctl_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_ioctl_out;
import dev.goldfishdma.emulator.fuse.gen.fuse_open_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_open_out;
import dev.goldfishdma.emulator.fuse.gen.fuse_poll_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_poll_out;
import dev.goldfishdma.emulator.fuse.gen.fuse_read_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_release_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_write_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_write_out;
import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files open on the mount and the requests on them: OPEN, READ, WRITE, IOCTL, POLL and RELEASE. Each
 * open of the device file is a pipe of the {@link GoldfishDevice}, known to the kernel by its file handle;
 * each open of the status file holds the status text as it was at the open.
 *
 * <ul>
 * <li><b>Pipe I/O versus the mapping.</b> The device is opened with {@code FOPEN_DIRECT_IO} and the flags
 *     of the memory model ({@link RegionSharing#openFlags()}): the guest's read() and write() reach the
 *     server as READ and WRITE, sent by fuse_direct_io() with {@code owner = current->files}, so they carry
 *     FUSE_READ_LOCKOWNER and FUSE_WRITE_LOCKOWNER (file.c, fuse_send_read and fuse_send_write). With
 *     passthrough the mapping is the region's file and never reaches the server; otherwise it goes through
 *     the page cache, which INIT's {@code FUSE_DIRECT_IO_ALLOW_MMAP} permits for a direct-I/O file (file.c,
 *     fuse_file_mmap): its faults are READs filled by fuse_read_args_fill() alone, without the lock-owner
 *     flag, and its writeback is WRITEs with FUSE_WRITE_CACHE. So: a READ with FUSE_READ_LOCKOWNER is a pipe
 *     read, any other READ a page fault; a WRITE with FUSE_WRITE_CACHE is writeback, any other a pipe
 *     write. Page faults and writeback go to the memory model, pipe I/O to the pipe; the offsets of pipe I/O
 *     mean nothing.</li>
 * <li><b>ioctl.</b> For a FUSE file (not CUSE) the kernel decodes the request number itself
 *     (FUSE_IOCTL_UNRESTRICTED is never set) and copies {@code _IOC_SIZE} bytes in for {@code _IOC_WRITE}
 *     and out for {@code _IOC_READ}: 16 bytes each way for the {@code _IOWR('G', n, 16-byte struct)} DMA
 *     requests; an answer longer than out_size is EIO and ENOSYS becomes ENOTTY (ioctl.c,
 *     fuse_do_ioctl). What the requests do is {@link DmaIoctls}.</li>
 * </ul>
 */
final class OpenFiles {
    private static final long CREATE_REGION = GoldfishDma.GOLDFISH_DMA_IOC_CREATE_REGION() & 0xffff_ffffL;

    private final GoldfishDevice device;
    private final NodeNamespace namespace;
    private final RegionSharing memory;
    private final Interrupts interrupts;
    private final FuseConnection connection;
    private final CallerMappings mappings;
    private final String statusTrailer;

    /** The status file's open handles, each with the text it was opened with. */
    private final Map<Long, byte[]> statusTexts = new ConcurrentHashMap<>();
    private long nextHandle = 1;

    /**
     * {@code statusTrailer}: lines the transport adds at the end of the status file (how it is mounted, how
     * region memory is shared).
     */
    OpenFiles(GoldfishDevice device, NodeNamespace namespace, RegionSharing memory, Interrupts interrupts,
              CallerMappings mappings, String statusTrailer) {
        this.mappings = mappings;
        this.statusTrailer = statusTrailer;
        this.device = device;
        this.namespace = namespace;
        this.memory = memory;
        this.interrupts = interrupts;
        this.connection = memory.connection;
    }

    /** The status file's text, as of now. */
    String statusText() {
        return device.statusText(namespace.liveDeviceNodes()) + statusTrailer;
    }

    FuseReply open(FuseRequest request, Arena arena) {
        long nodeId = request.nodeId();
        int flags = fuse_open_in.flags(request.body());
        MemorySegment out = fuse_open_out.allocate(arena);
        long handle = nextHandle++;
        fuse_open_out.fh(out, handle);
        if (nodeId == NodeNamespace.STATUS_NODE) {
            if ((flags & LibcConstants.O_ACCMODE()) != OpenFlags.O_RDONLY) {
                return FuseReply.error(Errno.EACCES);
            }
            statusTexts.put(handle, statusText().getBytes(StandardCharsets.UTF_8));
            fuse_open_out.open_flags(out, Fuse.FOPEN_DIRECT_IO());
            return FuseReply.ok(out).ifRefused(() -> statusTexts.remove(handle));
        } else if (!NodeNamespace.isDeviceNode(nodeId)) {
            return FuseReply.error(Errno.EISDIR);
        }
        int backingId;
        try {
            // O_TRUNC is ignored, as the driver ignores it: FUSE_ATOMIC_O_TRUNC brings it here (FuseInit).
            EmulatedPipe pipe = device.openPipe(handle, nodeId, request.uid());
            backingId = memory.opened(handle, pipe);
        } catch (ErrnoException e) {
            device.releasePipe(handle);
            return FuseReply.error(e.errno());
        }
        fuse_open_out.open_flags(out, memory.openFlags());
        fuse_open_out.backing_id(out, backingId);
        // An OPEN interrupted meanwhile never becomes an open file: no RELEASE will come for it.
        return FuseReply.ok(out).ifRefused(() -> release(handle));
    }

    FuseReply read(FuseRequest request) {
        MemorySegment in = request.body();
        long handle = fuse_read_in.fh(in);
        long offset = fuse_read_in.offset(in);
        int size = fuse_read_in.size(in);
        byte[] status = statusTexts.get(handle);
        if (status != null) {
            int from = (int) Math.min(offset, status.length);
            int n = Math.min(size, status.length - from);
            return FuseReply.ok(MemorySegment.ofArray(status).asSlice(from, n));
        }
        EmulatedPipe pipe = device.pipe(handle);
        if (pipe == null) {
            return FuseReply.error(Errno.EBADF);
        }
        if ((fuse_read_in.read_flags(in) & Fuse.FUSE_READ_LOCKOWNER()) == 0) {
            return memory.pageFault(pipe, offset, size);
        }
        boolean nonBlocking = (fuse_read_in.flags(in) & OpenFlags.O_NONBLOCK) != 0;
        ParkedRead ifParked = new ParkedRead(request.unique(), pipe, connection, interrupts);
        PipeRead result = null;
        try {
            result = pipe.guestRead(size, nonBlocking, ifParked);
        } finally {
            if (!(result instanceof PipeRead.Parked)) {
                ifParked.answeredAtOnce();
            }
        }
        return switch (result) {
            case PipeRead.Bytes bytes -> FuseReply.ok(MemorySegment.ofArray(bytes.data()));
            case PipeRead.Failed failed -> FuseReply.error(failed.errno());
            case PipeRead.Parked parked -> FuseReply.LATER;
        };
    }

    FuseReply write(FuseRequest request, Arena arena) {
        MemorySegment in = request.body();
        long handle = fuse_write_in.fh(in);
        long offset = fuse_write_in.offset(in);
        int size = fuse_write_in.size(in);
        MemorySegment data = request.bodyAfter(fuse_write_in.sizeof()).asSlice(0, size);
        EmulatedPipe pipe = device.pipe(handle);
        if (pipe == null) {
            return FuseReply.error(Errno.EBADF); // the status file is opened read-only
        }
        long written = size;
        if ((fuse_write_in.write_flags(in) & Fuse.FUSE_WRITE_CACHE()) != 0) {
            memory.writeBack(pipe, offset, data, request.sequence());
        } else {
            boolean nonBlocking = (fuse_write_in.flags(in) & OpenFlags.O_NONBLOCK) != 0;
            ParkedWrite ifParked = new ParkedWrite(request.unique(), pipe, connection, interrupts);
            PipeWrite result = null;
            try {
                result = pipe.guestWrite(data, nonBlocking, ifParked);
            } finally {
                if (!(result instanceof PipeWrite.Parked)) {
                    ifParked.answeredAtOnce();
                }
            }
            switch (result) {
                case PipeWrite.Written w -> written = w.count();
                case PipeWrite.Failed failed -> {
                    return FuseReply.error(failed.errno());
                }
                case PipeWrite.Parked parked -> {
                    return FuseReply.LATER;
                }
            }
        }
        MemorySegment out = fuse_write_out.allocate(arena);
        fuse_write_out.size(out, (int) written);
        return FuseReply.ok(out);
    }

    FuseReply ioctl(FuseRequest request, Arena arena) {
        MemorySegment in = request.body();
        EmulatedPipe pipe = device.pipe(fuse_ioctl_in.fh(in));
        if (pipe == null) {
            return FuseReply.error(Errno.ENOTTY);
        }
        long command = Integer.toUnsignedLong(fuse_ioctl_in.cmd(in));
        long inSize = Integer.toUnsignedLong(fuse_ioctl_in.in_size(in));
        long outSize = Integer.toUnsignedLong(fuse_ioctl_in.out_size(in));
        MemorySegment copiedIn = request.bodyAfter(fuse_ioctl_in.sizeof());
        copiedIn = copiedIn.asSlice(0, Math.min(inSize, copiedIn.byteSize()));
        IoctlResult result = DmaIoctls.apply(pipe, command, copiedIn, outSize, arena,
                () -> mappings.maps(request.pid(), pipe.inode()));
        if (result.errno() != 0) {
            return FuseReply.error(result.errno());
        }
        if (command == CREATE_REGION) {
            return memory.regionCreated(request.unique(), pipe, fuse_ioctl_out.allocate(arena));
        }
        return FuseReply.ok(fuse_ioctl_out.allocate(arena), result.out());
    }

    FuseReply poll(FuseRequest request, Arena arena) {
        MemorySegment in = request.body();
        EmulatedPipe pipe = device.pipe(fuse_poll_in.fh(in));
        int revents;
        if (pipe == null) {
            revents = PollFd.POLLIN; // the status file: always readable
        } else {
            boolean notify = (fuse_poll_in.flags(in) & Fuse.FUSE_POLL_SCHEDULE_NOTIFY()) != 0;
            revents = pipe.poll(notify ? new PollWakeup(connection, fuse_poll_in.kh(in)) : null);
        }
        MemorySegment out = fuse_poll_out.allocate(arena);
        fuse_poll_out.revents(out, revents);
        return FuseReply.ok(out);
    }

    FuseReply release(FuseRequest request) {
        release(fuse_release_in.fh(request.body()));
        return FuseReply.ok();
    }

    private void release(long handle) {
        statusTexts.remove(handle);
        memory.released(handle);
        device.releasePipe(handle);
    }
}
