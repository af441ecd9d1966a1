package dev.goldfishdma.emulator;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.emulator.model.DmaIoctls;
import dev.goldfishdma.emulator.model.EmulatedPipe;
import dev.goldfishdma.emulator.model.EmulatedRegion;
import dev.goldfishdma.emulator.model.GoldfishDevice;
import dev.goldfishdma.emulator.model.IoctlResult;
import dev.goldfishdma.emulator.model.PipeRead;
import dev.goldfishdma.emulator.model.PollWaiter;
import dev.goldfishdma.emulator.model.ReadCompletion;
import dev.goldfishdma.gen.fuse.fuse_notify_poll_wakeup_out;
import dev.goldfishdma.gen.fuse.fuse_attr;
import dev.goldfishdma.gen.fuse.fuse_attr_out;
import dev.goldfishdma.gen.fuse.fuse_batch_forget_in;
import dev.goldfishdma.gen.fuse.fuse_dirent;
import dev.goldfishdma.gen.fuse.fuse_entry_out;
import dev.goldfishdma.gen.fuse.fuse_forget_in;
import dev.goldfishdma.gen.fuse.fuse_forget_one;
import dev.goldfishdma.gen.fuse.fuse_init_in;
import dev.goldfishdma.gen.fuse.fuse_init_out;
import dev.goldfishdma.gen.fuse.fuse_interrupt_in;
import dev.goldfishdma.gen.fuse.fuse_ioctl_in;
import dev.goldfishdma.gen.fuse.fuse_ioctl_out;
import dev.goldfishdma.gen.fuse.fuse_kstatfs;
import dev.goldfishdma.gen.fuse.fuse_open_in;
import dev.goldfishdma.gen.fuse.fuse_open_out;
import dev.goldfishdma.gen.fuse.fuse_poll_in;
import dev.goldfishdma.gen.fuse.fuse_poll_out;
import dev.goldfishdma.gen.fuse.fuse_read_in;
import dev.goldfishdma.gen.fuse.fuse_release_in;
import dev.goldfishdma.gen.fuse.fuse_statfs_out;
import dev.goldfishdma.gen.fuse.fuse_write_in;
import dev.goldfishdma.gen.fuse.fuse_write_out;
import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.libc.PollFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * The file system the emulator serves: a root directory with the device file {@code goldfish_pipe} and a
 * read-only {@code status} file, and the handling of every FUSE request on them. Runs on the request
 * thread only.
 *
 * <p>How the pieces of the FUSE protocol are used (each verified in the kernel's fs/fuse sources):
 * <ul>
 * <li><b>One inode per open.</b> All opens of one path would share one inode and so one page cache, and two
 *     pipes mapped at once would see the same memory. Every LOOKUP of the device name therefore answers a
 *     fresh node id, with entry and attribute timeouts of 0: the kernel revalidates the cached dentry at
 *     each path walk (dir.c, fuse_dentry_revalidate), sees a different node id, drops the dentry (and
 *     FORGETs the id) and looks the name up again, so each open() gets its own inode. Node ids are
 *     forgotten through FORGET and BATCH_FORGET (which are never answered).</li>
 * <li><b>Pipe I/O versus the mapping.</b> The device is opened with {@code FOPEN_DIRECT_IO | FOPEN_STREAM
 *     | FOPEN_NONSEEKABLE}: the guest's read() and write() reach the server as READ and WRITE at offset 0,
 *     sent by fuse_direct_io() with {@code owner = current->files}, so they carry FUSE_READ_LOCKOWNER and
 *     FUSE_WRITE_LOCKOWNER (file.c, fuse_send_read and fuse_send_write). The mapping goes through the page
 *     cache, which INIT's {@code FUSE_DIRECT_IO_ALLOW_MMAP} permits for a direct-I/O file (file.c,
 *     fuse_file_mmap): its faults are READs filled by fuse_read_args_fill() alone, without the lock-owner
 *     flag, and its writeback is WRITEs with FUSE_WRITE_CACHE. So: a READ with FUSE_READ_LOCKOWNER is a pipe
 *     read, any other READ a page fault; a WRITE with FUSE_WRITE_CACHE is writeback, any other a pipe
 *     write.</li>
 * <li><b>Side effect of direct I/O on the mapping.</b> Before a direct read or write of {@code count}
 *     bytes at offset 0, the kernel writes back the dirty pages of that range of the mapping, and before a
 *     direct write it also drops them from the page cache (file.c, fuse_direct_io, when
 *     direct_io_allow_mmap is set); the guest's next touch faults them in again from the server's copy,
 *     which the writeback has just updated. Correct, but the first page of a mapping is refetched after
 *     each pipe write.</li>
 * <li><b>ioctl.</b> For a FUSE file (not CUSE) the kernel decodes the request number itself
 *     (FUSE_IOCTL_UNRESTRICTED is never set) and copies {@code _IOC_SIZE} bytes in for {@code _IOC_WRITE}
 *     and out for {@code _IOC_READ}: 16 bytes each way for the {@code _IOWR('G', n, 16-byte struct)} DMA
 *     requests; an answer longer than out_size is EIO and ENOSYS becomes ENOTTY (ioctl.c,
 *     fuse_do_ioctl).</li>
 * <li><b>Sizes.</b> GETATTR gives the device a size of 256 MiB, the largest region: a fault past the end
 *     of the file would be SIGBUS without asking the server, and a page-cache READ answered short would
 *     shrink the kernel's idea of the size (file.c, fuse_short_read), so READs are answered whole or with
 *     an error. The size never changes, which keeps the kernel from dropping the page cache on GETATTR
 *     (inode.c, fuse_change_attributes).</li>
 * </ul>
 */
final class GoldfishPipeFilesystem {
    private static final System.Logger LOG = System.getLogger(GoldfishPipeFilesystem.class.getName());

    static final String DEVICE_NAME = "goldfish_pipe";
    static final String STATUS_NAME = "status";
    static final long STATUS_NODE = 2;
    static final long FIRST_PIPE_NODE = 16;
    /** The device file's size: the largest region, so that no mapping of a valid region passes the end. */
    static final long DEVICE_FILE_SIZE = DriverRules.MAX_REGION_SIZE;

    private static final int S_IFDIR = LibcConstants.S_IFDIR();
    private static final int S_IFREG = LibcConstants.S_IFREG();
    private static final long DIRENT_HEADER_SIZE = fuse_dirent.sizeof();

    private final FuseConnection connection;
    private final GoldfishDevice device;
    private final HostMemory memory;
    private final CountDownLatch initialized = new CountDownLatch(1);

    /** Live pipe node ids and how many lookups the kernel holds on each. */
    private final Map<Long, Long> pipeNodeLookups = new ConcurrentHashMap<>();
    /** Parked reads by request id, for INTERRUPT. */
    private final Map<Long, ParkedRead> parkedReads = new ConcurrentHashMap<>();
    private final Map<Long, byte[]> statusHandles = new ConcurrentHashMap<>();
    private long nextNodeId = FIRST_PIPE_NODE;
    private long nextHandle = 1;
    private final long startSeconds = System.currentTimeMillis() / 1000;

    GoldfishPipeFilesystem(FuseConnection connection, GoldfishDevice device, HostMemory memory) {
        this.connection = connection;
        this.device = device;
        this.memory = memory;
    }

    /** Counted down once INIT has been answered, i.e. when the mount starts serving. */
    CountDownLatch initialized() {
        return initialized;
    }

    /**
     * Handles one request, answering it unless it is one of those that take no answer.
     *
     * @return false after DESTROY: the kernel will send nothing more
     */
    boolean handle(FuseRequest request) {
        int op = request.opcode();
        try (Arena arena = Arena.ofConfined()) {
            if (op == FuseProtocol.INIT) {
                init(request, arena);
            } else if (op == FuseProtocol.LOOKUP) {
                lookup(request, arena);
            } else if (op == FuseProtocol.FORGET) {
                forget(request.nodeId(), fuse_forget_in.nlookup(request.body()));
            } else if (op == FuseProtocol.BATCH_FORGET) {
                batchForget(request);
            } else if (op == FuseProtocol.GETATTR) {
                getattr(request, arena);
            } else if (op == FuseProtocol.OPEN) {
                open(request, arena);
            } else if (op == FuseProtocol.READ) {
                read(request);
            } else if (op == FuseProtocol.WRITE) {
                write(request, arena);
            } else if (op == FuseProtocol.IOCTL) {
                ioctl(request, arena);
            } else if (op == FuseProtocol.POLL) {
                poll(request, arena);
            } else if (op == FuseProtocol.FLUSH || op == FuseProtocol.RELEASEDIR) {
                connection.reply(request.unique(), 0);
            } else if (op == FuseProtocol.RELEASE) {
                release(request);
            } else if (op == FuseProtocol.STATFS) {
                statfs(request, arena);
            } else if (op == FuseProtocol.OPENDIR) {
                opendir(request, arena);
            } else if (op == FuseProtocol.READDIR) {
                readdir(request, arena);
            } else if (op == FuseProtocol.INTERRUPT) {
                interrupt(fuse_interrupt_in.unique(request.body()));
            } else if (op == FuseProtocol.NOTIFY_REPLY) {
                memory.onRetrieveReply(request);
            } else if (op == FuseProtocol.DESTROY) {
                connection.reply(request.unique(), 0);
                return false;
            } else {
                connection.reply(request.unique(), Errno.ENOSYS);
            }
        }
        return true;
    }

    /** Whether {@code opcode} is answered at all (the rest must never be). */
    static boolean expectsReply(int opcode) {
        return opcode != FuseProtocol.FORGET && opcode != FuseProtocol.BATCH_FORGET
                && opcode != FuseProtocol.INTERRUPT && opcode != FuseProtocol.NOTIFY_REPLY;
    }

    // ---- connection and names ---------------------------------------------------------------------------

    private void init(FuseRequest request, Arena arena) {
        MemorySegment in = request.body();
        int major = fuse_init_in.major(in);
        int minor = fuse_init_in.minor(in);
        int kernelFlags = fuse_init_in.flags(in);
        int kernelFlags2 = (kernelFlags & FuseProtocol.INIT_EXT) != 0 && in.byteSize() >= fuse_init_in.sizeof()
                ? fuse_init_in.flags2(in) : 0;
        MemorySegment out = fuse_init_out.allocate(arena);
        fuse_init_out.major(out, FuseProtocol.KERNEL_VERSION);
        fuse_init_out.minor(out, Math.min(minor, FuseProtocol.KERNEL_MINOR_VERSION));
        if (major != FuseProtocol.KERNEL_VERSION) {
            // A newer major: answer ours, and the kernel either retries with it or gives up.
            connection.reply(request.unique(), 0, out);
            return;
        }
        int wanted = FuseProtocol.ASYNC_READ | FuseProtocol.BIG_WRITES | FuseProtocol.MAX_PAGES_FLAG
                | FuseProtocol.INIT_EXT;
        int flags2 = kernelFlags2 & FuseProtocol.DIRECT_IO_ALLOW_MMAP_FLAGS2;
        if (flags2 == 0) {
            LOG.log(System.Logger.Level.WARNING, "the kernel does not offer FUSE_DIRECT_IO_ALLOW_MMAP "
                    + "(Linux 6.6 or newer): mmap of the device will fail with ENODEV");
        }
        fuse_init_out.max_readahead(out, fuse_init_in.max_readahead(in));
        fuse_init_out.flags(out, wanted & kernelFlags);
        fuse_init_out.flags2(out, flags2);
        fuse_init_out.max_background(out, (short) 16);
        fuse_init_out.congestion_threshold(out, (short) 12);
        fuse_init_out.max_write(out, FuseProtocol.MAX_WRITE);
        fuse_init_out.time_gran(out, 1);
        fuse_init_out.max_pages(out, (short) FuseProtocol.MAX_PAGES);
        connection.reply(request.unique(), 0, out);
        initialized.countDown();
    }

    private void lookup(FuseRequest request, Arena arena) {
        if (request.nodeId() != FuseProtocol.ROOT_ID) {
            connection.reply(request.unique(), Errno.ENOTDIR);
            return;
        }
        String name = request.name();
        long nodeId;
        if (DEVICE_NAME.equals(name)) {
            nodeId = nextNodeId++;
            pipeNodeLookups.put(nodeId, 1L);
        } else if (STATUS_NAME.equals(name)) {
            nodeId = STATUS_NODE;
        } else {
            connection.reply(request.unique(), Errno.ENOENT);
            return;
        }
        MemorySegment out = fuse_entry_out.allocate(arena);
        fuse_entry_out.nodeid(out, nodeId);
        fuse_entry_out.generation(out, 1);
        // Timeouts of 0: every path walk asks again, so that each open() of the device gets a new node.
        fuse_entry_out.entry_valid(out, 0);
        fuse_entry_out.attr_valid(out, 0);
        fillAttributes(fuse_entry_out.attr(out), nodeId);
        connection.reply(request.unique(), 0, out);
    }

    private void forget(long nodeId, long lookups) {
        pipeNodeLookups.computeIfPresent(nodeId, (id, held) -> held - lookups <= 0 ? null : held - lookups);
    }

    private void batchForget(FuseRequest request) {
        int count = fuse_batch_forget_in.count(request.body());
        MemorySegment entries = request.bodyAfter(fuse_batch_forget_in.sizeof());
        for (int i = 0; i < count; i++) {
            MemorySegment entry = fuse_forget_one.asSlice(entries, i);
            forget(fuse_forget_one.nodeid(entry), fuse_forget_one.nlookup(entry));
        }
    }

    private void getattr(FuseRequest request, Arena arena) {
        long nodeId = request.nodeId();
        if (nodeId != FuseProtocol.ROOT_ID && nodeId != STATUS_NODE && nodeId < FIRST_PIPE_NODE) {
            connection.reply(request.unique(), Errno.ENOENT);
            return;
        }
        MemorySegment out = fuse_attr_out.allocate(arena);
        fuse_attr_out.attr_valid(out, 0);
        fillAttributes(fuse_attr_out.attr(out), nodeId);
        connection.reply(request.unique(), 0, out);
    }

    private void fillAttributes(MemorySegment attr, long nodeId) {
        fuse_attr.ino(attr, nodeId);
        fuse_attr.atime(attr, startSeconds);
        fuse_attr.mtime(attr, startSeconds);
        fuse_attr.ctime(attr, startSeconds);
        fuse_attr.blksize(attr, (int) Libc.PAGE_SIZE);
        fuse_attr.uid(attr, 0);
        fuse_attr.gid(attr, 0);
        if (nodeId == FuseProtocol.ROOT_ID) {
            fuse_attr.mode(attr, S_IFDIR | 0755);
            fuse_attr.nlink(attr, 2);
        } else if (nodeId == STATUS_NODE) {
            fuse_attr.mode(attr, S_IFREG | 0444);
            fuse_attr.nlink(attr, 1);
        } else {
            fuse_attr.mode(attr, S_IFREG | 0666);
            fuse_attr.nlink(attr, 1);
            fuse_attr.size(attr, DEVICE_FILE_SIZE);
        }
    }

    private void statfs(FuseRequest request, Arena arena) {
        MemorySegment out = fuse_statfs_out.allocate(arena);
        MemorySegment st = fuse_statfs_out.st(out);
        fuse_kstatfs.bsize(st, (int) Libc.PAGE_SIZE);
        fuse_kstatfs.frsize(st, (int) Libc.PAGE_SIZE);
        fuse_kstatfs.namelen(st, 255);
        connection.reply(request.unique(), 0, out);
    }

    private void opendir(FuseRequest request, Arena arena) {
        if (request.nodeId() != FuseProtocol.ROOT_ID) {
            connection.reply(request.unique(), Errno.ENOTDIR);
            return;
        }
        connection.reply(request.unique(), 0, fuse_open_out.allocate(arena));
    }

    private void readdir(FuseRequest request, Arena arena) {
        MemorySegment in = request.body();
        long offset = fuse_read_in.offset(in);
        int size = fuse_read_in.size(in);
        String[] names = {".", "..", DEVICE_NAME, STATUS_NAME};
        long[] inodes = {FuseProtocol.ROOT_ID, FuseProtocol.ROOT_ID, FIRST_PIPE_NODE, STATUS_NODE};
        int[] types = {S_IFDIR, S_IFDIR, S_IFREG, S_IFREG};
        MemorySegment out = arena.allocate(Math.max(size, 8), 8);
        long used = 0;
        for (int i = (int) offset; i < names.length; i++) {
            byte[] name = names[i].getBytes(StandardCharsets.UTF_8);
            long entrySize = (DIRENT_HEADER_SIZE + name.length + 7) & ~7L;
            if (used + entrySize > size) {
                break;
            }
            MemorySegment entry = out.asSlice(used, entrySize);
            entry.fill((byte) 0);
            fuse_dirent.ino(entry, inodes[i]);
            fuse_dirent.off(entry, i + 1);
            fuse_dirent.namelen(entry, name.length);
            fuse_dirent.type(entry, types[i] >>> 12); // DT_* is the S_IF* type shifted down
            MemorySegment.copy(MemorySegment.ofArray(name), 0, entry, DIRENT_HEADER_SIZE, name.length);
            used += entrySize;
        }
        connection.replyData(request.unique(), out, used);
    }

    // ---- files ------------------------------------------------------------------------------------------

    private void open(FuseRequest request, Arena arena) {
        long nodeId = request.nodeId();
        int flags = fuse_open_in.flags(request.body());
        MemorySegment out = fuse_open_out.allocate(arena);
        long handle = nextHandle++;
        fuse_open_out.fh(out, handle);
        if (nodeId == STATUS_NODE) {
            if ((flags & LibcConstants.O_ACCMODE()) != OpenFlags.O_RDONLY) {
                connection.reply(request.unique(), Errno.EACCES);
                return;
            }
            statusHandles.put(handle, statusText().getBytes(StandardCharsets.UTF_8));
            fuse_open_out.open_flags(out, FuseProtocol.FOPEN_DIRECT_IO);
        } else if (nodeId >= FIRST_PIPE_NODE) {
            device.openPipe(handle, nodeId);
            fuse_open_out.open_flags(out,
                    FuseProtocol.FOPEN_DIRECT_IO | FuseProtocol.FOPEN_STREAM | FuseProtocol.FOPEN_NONSEEKABLE);
        } else {
            connection.reply(request.unique(), Errno.EISDIR);
            return;
        }
        connection.reply(request.unique(), 0, out);
    }

    private void read(FuseRequest request) {
        MemorySegment in = request.body();
        long handle = fuse_read_in.fh(in);
        long offset = fuse_read_in.offset(in);
        int size = fuse_read_in.size(in);
        byte[] status = statusHandles.get(handle);
        if (status != null) {
            int from = (int) Math.min(offset, status.length);
            int n = Math.min(size, status.length - from);
            connection.reply(request.unique(), 0, MemorySegment.ofArray(status).asSlice(from, n));
            return;
        }
        EmulatedPipe pipe = device.pipe(handle);
        if (pipe == null) {
            connection.reply(request.unique(), Errno.EBADF);
            return;
        }
        if ((fuse_read_in.read_flags(in) & FuseProtocol.READ_LOCKOWNER) != 0) {
            boolean nonBlocking = (fuse_read_in.flags(in) & OpenFlags.O_NONBLOCK) != 0;
            ParkedRead parked = new ParkedRead(request.unique(), pipe);
            parkedReads.put(request.unique(), parked);
            PipeRead result = pipe.guestRead(size, nonBlocking, parked);
            if (!(result instanceof PipeRead.Parked)) {
                parkedReads.remove(request.unique());
            }
            switch (result) {
                case PipeRead.Bytes bytes -> connection.reply(request.unique(), 0, MemorySegment.ofArray(bytes.data()));
                case PipeRead.Failed failed -> connection.reply(request.unique(), failed.errno());
                case PipeRead.Parked p -> { }
            }
        } else {
            pageFault(request, pipe, offset, size);
        }
    }

    /**
     * A page-cache READ: the guest touched its mapping. Served from the server's copy, which the first
     * such READ allocates, giving the region its physical address. Anything outside a region is an error,
     * so the guest gets SIGBUS where the driver would map garbage or oops.
     */
    private void pageFault(FuseRequest request, EmulatedPipe pipe, long offset, int size) {
        EmulatedRegion region = pipe.region();
        if (region == null || offset < 0 || offset + size > region.size()) {
            connection.reply(request.unique(), Errno.EIO);
            return;
        }
        MemorySegment copy;
        try {
            copy = region.ensureAllocated();
        } catch (OutOfMemoryError e) {
            connection.reply(request.unique(), Errno.ENOMEM);
            return;
        }
        if (copy == null) {
            connection.reply(request.unique(), Errno.EIO);
            return;
        }
        connection.reply(request.unique(), 0, copy.asSlice(offset, size));
    }

    private void write(FuseRequest request, Arena arena) {
        MemorySegment in = request.body();
        long handle = fuse_write_in.fh(in);
        long offset = fuse_write_in.offset(in);
        int size = fuse_write_in.size(in);
        MemorySegment data = request.bodyAfter(fuse_write_in.sizeof()).asSlice(0, size);
        EmulatedPipe pipe = device.pipe(handle);
        if (pipe == null) {
            connection.reply(request.unique(), Errno.EBADF); // the status file is opened read-only
            return;
        }
        int errno = 0;
        if ((fuse_write_in.write_flags(in) & FuseProtocol.WRITE_CACHE) != 0) {
            writeBack(pipe, offset, data);
        } else {
            errno = pipe.guestWrite(data);
        }
        if (errno != 0) {
            connection.reply(request.unique(), errno);
            return;
        }
        MemorySegment out = fuse_write_out.allocate(arena);
        fuse_write_out.size(out, size);
        connection.reply(request.unique(), 0, out);
    }

    /** Writeback of dirty pages of the mapping: the server's copy takes them (clipped to the region). */
    private void writeBack(EmulatedPipe pipe, long offset, MemorySegment data) {
        EmulatedRegion region = pipe.region();
        if (region == null || offset < 0 || offset >= region.size()) {
            return;
        }
        MemorySegment copy;
        try {
            copy = region.ensureAllocated();
        } catch (OutOfMemoryError e) {
            return;
        }
        if (copy != null) {
            long n = Math.min(data.byteSize(), region.size() - offset);
            MemorySegment.copy(data, 0, copy, offset, n);
        }
    }

    private void ioctl(FuseRequest request, Arena arena) {
        MemorySegment in = request.body();
        EmulatedPipe pipe = device.pipe(fuse_ioctl_in.fh(in));
        long command = Integer.toUnsignedLong(fuse_ioctl_in.cmd(in));
        int inSize = fuse_ioctl_in.in_size(in);
        int outSize = fuse_ioctl_in.out_size(in);
        MemorySegment argument = request.bodyAfter(fuse_ioctl_in.sizeof());
        MemorySegment out = fuse_ioctl_out.allocate(arena);
        if (pipe == null) {
            connection.reply(request.unique(), Errno.ENOTTY);
            return;
        }
        IoctlResult result = DmaIoctls.apply(pipe, command, argument.asSlice(0, Math.min(inSize, argument.byteSize())),
                outSize, arena);
        if (result.errno() != 0) {
            connection.reply(request.unique(), result.errno());
        } else {
            connection.reply(request.unique(), 0, out, result.out());
        }
    }

    private void poll(FuseRequest request, Arena arena) {
        MemorySegment in = request.body();
        EmulatedPipe pipe = device.pipe(fuse_poll_in.fh(in));
        int revents;
        if (pipe == null) {
            revents = PollFd.POLLIN; // the status file: always readable
        } else {
            boolean schedule = (fuse_poll_in.flags(in) & FuseProtocol.POLL_SCHEDULE_NOTIFY) != 0;
            revents = pipe.poll(schedule ? new PollWakeup(connection, fuse_poll_in.kh(in)) : null);
        }
        MemorySegment out = fuse_poll_out.allocate(arena);
        fuse_poll_out.revents(out, revents);
        connection.reply(request.unique(), 0, out);
    }

    private void release(FuseRequest request) {
        long handle = fuse_release_in.fh(request.body());
        statusHandles.remove(handle);
        device.releasePipe(handle);
        connection.reply(request.unique(), 0);
    }

    private void interrupt(long unique) {
        ParkedRead parked = parkedReads.get(unique);
        if (parked != null && parked.pipe.withdrawRead(parked)) {
            parked.fail(Errno.EINTR);
        }
    }

    // ---- status -----------------------------------------------------------------------------------------

    /** The status file's text: live pipes and regions, as of now. */
    String statusText() {
        return device.statusText(pipeNodeLookups.size());
    }

    /** Ends every pipe: the emulator is shutting down. */
    void releaseAll() {
        device.releaseAll();
    }

    /** A read parked on a pipe, answered by request id. */
    private final class ParkedRead implements ReadCompletion {
        final long unique;
        final EmulatedPipe pipe;

        ParkedRead(long unique, EmulatedPipe pipe) {
            this.unique = unique;
            this.pipe = pipe;
        }

        @Override
        public void complete(byte[] data) {
            parkedReads.remove(unique);
            connection.reply(unique, 0, MemorySegment.ofArray(data));
        }

        @Override
        public void fail(int errno) {
            parkedReads.remove(unique);
            connection.reply(unique, errno);
        }
    }

    /** A poll to wake with FUSE_NOTIFY_POLL, by the kernel's poll handle. */
    private record PollWakeup(FuseConnection connection, long kh) implements PollWaiter {
        @Override
        public void wake() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment wakeup = fuse_notify_poll_wakeup_out.allocate(arena);
                fuse_notify_poll_wakeup_out.kh(wakeup, kh);
                connection.notify(FuseProtocol.NOTIFY_POLL, wakeup);
            }
        }
    }
}
