package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.emulator.fuse.gen.fuse_attr;
import dev.goldfishdma.emulator.fuse.gen.fuse_attr_out;
import dev.goldfishdma.emulator.fuse.gen.fuse_batch_forget_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_dirent;
import dev.goldfishdma.emulator.fuse.gen.fuse_entry_out;
import dev.goldfishdma.emulator.fuse.gen.fuse_forget_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_forget_one;
import dev.goldfishdma.emulator.fuse.gen.fuse_kstatfs;
import dev.goldfishdma.emulator.fuse.gen.fuse_open_out;
import dev.goldfishdma.emulator.fuse.gen.fuse_read_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_setattr_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_statfs_out;
import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongUnaryOperator;

/**
 * The names, nodes and attributes of the mount: a root directory holding the device file
 * ({@value #DEVICE_FILE_NAME}) and the read-only status file ({@value #STATUS_FILE_NAME}).
 * Handles LOOKUP, FORGET, BATCH_FORGET, GETATTR, STATFS, OPENDIR and READDIR.
 *
 * <ul>
 * <li><b>One inode per open.</b> All opens of one path would share one inode and so one page cache, and two
 *     pipes mapped at once would see the same memory. Every LOOKUP of the device name therefore answers a
 *     fresh node id, with entry and attribute timeouts of 0: the kernel revalidates the cached dentry at
 *     each path walk (dir.c, fuse_dentry_revalidate), sees a different node id, drops the dentry (and
 *     FORGETs the id) and looks the name up again, so each open() gets its own inode. Node ids are
 *     forgotten through FORGET and BATCH_FORGET (which are never answered).</li>
 * <li><b>Sizes.</b> The device file's size is the size of the region of the pipe open on it, 0 before
 *     CREATE_REGION, as a memfd's would be: the kernel answers a touch of the mapping past the end of the
 *     file with SIGBUS without asking (filemap_fault), which the page-cache memory model relies on
 *     ({@link PageCacheMemory}; passthrough maps the region's file itself and does not need it). A size
 *     that changes makes the kernel drop the cached pages past the new end (inode.c,
 *     fuse_change_attributes); with FUSE_EXPLICIT_INVAL_DATA granted at INIT it keeps the others.</li>
 * <li><b>Owner and mode.</b> Every node belongs to the emulator's uid and gid; the kernel checks the modes
 *     itself ({@code default_permissions}, see {@link MountSettings}): the directory is 0700 and the device
 *     0600, or 0755 and 0666 with {@code allow_other}; the status file is 0400 either way. SETATTR (chmod,
 *     chown, utimes) is refused with EPERM, and a truncate of the device with EINVAL, as the driver's
 *     character device answers: the nodes stay as they are. An open with O_TRUNC
 *     never asks (FUSE_ATOMIC_O_TRUNC, {@link FuseInit}) and truncates nothing, as with the driver.</li>
 * <li><b>The directory's listing</b> is four entries at offsets 0 to 3; READDIR at any later offset (a
 *     bogus one included) lists nothing.</li>
 * </ul>
 */
public final class NodeNamespace {
    /** The name of the device file in the mount directory. */
    public static final String DEVICE_FILE_NAME = "goldfish_pipe";
    /** The name of the status file in the mount directory. */
    public static final String STATUS_FILE_NAME = "status";

    static final long ROOT_NODE = Fuse.FUSE_ROOT_ID();
    static final long STATUS_NODE = 2;
    /** Device nodes are numbered from here on, one per LOOKUP, never reused. */
    static final long FIRST_DEVICE_NODE = 16;

    private static final int S_IFDIR = LibcConstants.S_IFDIR();
    private static final int S_IFREG = LibcConstants.S_IFREG();
    private static final long DIRENT_HEADER_SIZE = fuse_dirent.sizeof();

    private final LongUnaryOperator deviceFileSize;
    private final int ownerUid;
    private final int ownerGid;
    private final int directoryMode;
    private final int deviceMode;

    /**
     * @param deviceFileSize the size of the device file on each device inode (its pipe's region's size)
     * @param settings       whether other users may use the device (the modes follow)
     */
    NodeNamespace(LongUnaryOperator deviceFileSize, MountSettings settings) {
        this.deviceFileSize = deviceFileSize;
        this.ownerUid = (int) Libc.getuid();
        this.ownerGid = (int) Libc.getgid();
        this.directoryMode = settings.allowOther() ? 0755 : 0700;
        this.deviceMode = settings.allowOther() ? 0666 : 0600;
    }

    /** Live device node ids and how many lookups the kernel holds on each. */
    private final Map<Long, Long> deviceNodeLookups = new ConcurrentHashMap<>();
    private long nextDeviceNode = FIRST_DEVICE_NODE;
    private final long startSeconds = System.currentTimeMillis() / 1000;

    static boolean isDeviceNode(long nodeId) {
        return nodeId >= FIRST_DEVICE_NODE;
    }

    /** The device nodes the kernel still holds (the status file's {@code nodes} line). */
    long liveDeviceNodes() {
        return deviceNodeLookups.size();
    }

    FuseReply lookup(FuseRequest request, Arena arena) {
        if (request.nodeId() != ROOT_NODE) {
            return FuseReply.error(Errno.ENOTDIR);
        }
        String name = request.name();
        long nodeId;
        if (NodeNamespace.DEVICE_FILE_NAME.equals(name)) {
            nodeId = nextDeviceNode++;
            deviceNodeLookups.put(nodeId, 1L);
        } else if (NodeNamespace.STATUS_FILE_NAME.equals(name)) {
            nodeId = STATUS_NODE;
        } else {
            return FuseReply.error(Errno.ENOENT);
        }
        MemorySegment out = fuse_entry_out.allocate(arena);
        fuse_entry_out.nodeid(out, nodeId);
        fuse_entry_out.generation(out, 1);
        // Timeouts of 0: every path walk asks again, so that each open() of the device gets a new node.
        fuse_entry_out.entry_valid(out, 0);
        fuse_entry_out.attr_valid(out, 0);
        fillAttributes(fuse_entry_out.attr(out), nodeId);
        return FuseReply.ok(out);
    }

    FuseReply forget(FuseRequest request) {
        forget(request.nodeId(), fuse_forget_in.nlookup(request.body()));
        return FuseReply.NONE;
    }

    FuseReply batchForget(FuseRequest request) {
        int count = fuse_batch_forget_in.count(request.body());
        MemorySegment entries = request.bodyAfter(fuse_batch_forget_in.sizeof());
        for (int i = 0; i < count; i++) {
            MemorySegment entry = fuse_forget_one.asSlice(entries, i);
            forget(fuse_forget_one.nodeid(entry), fuse_forget_one.nlookup(entry));
        }
        return FuseReply.NONE;
    }

    private void forget(long nodeId, long lookups) {
        deviceNodeLookups.computeIfPresent(nodeId, (id, held) -> held - lookups <= 0 ? null : held - lookups);
    }

    FuseReply getattr(FuseRequest request, Arena arena) {
        long nodeId = request.nodeId();
        if (nodeId != ROOT_NODE && nodeId != STATUS_NODE && !isDeviceNode(nodeId)) {
            return FuseReply.error(Errno.ENOENT);
        }
        MemorySegment out = fuse_attr_out.allocate(arena);
        fuse_attr_out.attr_valid(out, 0);
        fillAttributes(fuse_attr_out.attr(out), nodeId);
        return FuseReply.ok(out);
    }

    private void fillAttributes(MemorySegment attr, long nodeId) {
        fuse_attr.ino(attr, nodeId);
        fuse_attr.atime(attr, startSeconds);
        fuse_attr.mtime(attr, startSeconds);
        fuse_attr.ctime(attr, startSeconds);
        fuse_attr.blksize(attr, (int) Libc.PAGE_SIZE);
        fuse_attr.uid(attr, ownerUid);
        fuse_attr.gid(attr, ownerGid);
        if (nodeId == ROOT_NODE) {
            fuse_attr.mode(attr, S_IFDIR | directoryMode);
            fuse_attr.nlink(attr, 2);
        } else if (nodeId == STATUS_NODE) {
            // It lists every user's pipes and regions: the emulator's user alone may read it.
            fuse_attr.mode(attr, S_IFREG | 0400);
            fuse_attr.nlink(attr, 1);
        } else {
            fuse_attr.mode(attr, S_IFREG | deviceMode);
            fuse_attr.nlink(attr, 1);
            fuse_attr.size(attr, deviceFileSize.applyAsLong(nodeId));
        }
    }

    /**
     * SETATTR: the nodes' owner, mode, times and size are not the caller's to change. A new size for the
     * device (truncate(2), ftruncate(2)) is EINVAL, what the kernel answers for the driver's character device
     * (a truncate of anything but a regular file); everything else is EPERM.
     */
    FuseReply setattr(FuseRequest request) {
        long nodeId = request.nodeId();
        if (nodeId != ROOT_NODE && nodeId != STATUS_NODE && !isDeviceNode(nodeId)) {
            return FuseReply.error(Errno.ENOENT);
        }
        boolean resize = (fuse_setattr_in.valid(request.body()) & Fuse.FATTR_SIZE()) != 0;
        return FuseReply.error(resize && isDeviceNode(nodeId) ? Errno.EINVAL : Errno.EPERM);
    }

    FuseReply statfs(Arena arena) {
        MemorySegment out = fuse_statfs_out.allocate(arena);
        MemorySegment st = fuse_statfs_out.st(out);
        fuse_kstatfs.bsize(st, (int) Libc.PAGE_SIZE);
        fuse_kstatfs.frsize(st, (int) Libc.PAGE_SIZE);
        fuse_kstatfs.namelen(st, 255);
        return FuseReply.ok(out);
    }

    FuseReply opendir(FuseRequest request, Arena arena) {
        if (request.nodeId() != ROOT_NODE) {
            return FuseReply.error(Errno.ENOTDIR);
        }
        return FuseReply.ok(fuse_open_out.allocate(arena));
    }

    FuseReply readdir(FuseRequest request, Arena arena) {
        MemorySegment in = request.body();
        long offset = fuse_read_in.offset(in);
        int size = fuse_read_in.size(in);
        String[] names = {".", "..", NodeNamespace.DEVICE_FILE_NAME, NodeNamespace.STATUS_FILE_NAME};
        long[] inodes = {ROOT_NODE, ROOT_NODE, FIRST_DEVICE_NODE, STATUS_NODE};
        int[] types = {S_IFDIR, S_IFDIR, S_IFREG, S_IFREG};
        // The offset is the kernel's copy of what an entry's off said, or whatever lseek set: past the last
        // entry (or negative as a signed number) nothing is left to list.
        if (offset < 0 || offset >= names.length || size <= 0) {
            return FuseReply.ok(arena.allocate(0));
        }
        MemorySegment out = arena.allocate(size, 8);
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
        return FuseReply.ok(out.asSlice(0, used));
    }
}
