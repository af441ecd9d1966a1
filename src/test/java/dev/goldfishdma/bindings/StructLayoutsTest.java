package dev.goldfishdma.bindings;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every generated struct against the kernel's and the C library's ABI on LP64 Linux (x86_64 and aarch64
 * alike): its size and each member's offset, as numbers worked out from the C declarations, not taken from
 * the generated code. Every struct an argument file in {@code bindings/} names must be listed here; each is
 * looked for in the package its argument file names.
 */
class StructLayoutsTest {
    private record Expected(String packageName, String struct, long size, Map<String, Long> offsets) {
    }

    /** An expected struct of the binding generated from {@code bindings/<binding>.args}, in its package. */
    private static Expected entry(String binding, String struct, long size, Object... memberOffsets) {
        Map<String, Long> offsets = new LinkedHashMap<>();
        for (int i = 0; i < memberOffsets.length; i += 2) {
            offsets.put((String) memberOffsets[i], ((Number) memberOffsets[i + 1]).longValue());
        }
        return new Expected(targetPackage(Path.of("bindings", binding + ".args")), struct, size, offsets);
    }

    /** The {@code --target-package} of an argument file, where the script puts the binding. */
    private static String targetPackage(Path args) {
        try {
            for (String line : Files.readAllLines(args)) {
                String[] words = line.trim().split("\\s+");
                if (words[0].equals("--target-package")) {
                    return words[1];
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError(args + " has no --target-package");
    }

    private static final List<Expected> EXPECTED = List.of(
            entry("goldfish_dma", "goldfish_dma_ioctl_info", 16, "phys_begin", 0, "size", 8),
            entry("libc", "pollfd", 8, "fd", 0, "events", 4, "revents", 6),
            entry("libc", "msghdr", 56, "msg_name", 0, "msg_namelen", 8, "msg_iov", 16, "msg_iovlen", 24,
                    "msg_control", 32, "msg_controllen", 40, "msg_flags", 48),
            entry("libc", "cmsghdr", 16, "cmsg_len", 0, "cmsg_level", 8, "cmsg_type", 12, "__cmsg_data", 16),
            entry("libc", "iovec", 16, "iov_base", 0, "iov_len", 8),
            entry("libc", "posix_spawn_file_actions_t", 80, "__allocated", 0, "__used", 4, "__actions", 8, "__pad", 16),
            entry("libc", "statfs", 120, "f_type", 0, "f_bsize", 8, "f_blocks", 16, "f_bfree", 24, "f_bavail", 32,
                    "f_files", 40, "f_ffree", 48, "f_fsid", 56, "f_namelen", 64, "f_frsize", 72, "f_flags", 80,
                    "f_spare", 88),
            entry("libc", "__fsid_t", 8, "__val", 0),
            entry("libc", "statx", 256, "stx_mask", 0, "stx_blksize", 4, "stx_attributes", 8, "stx_nlink", 16,
                    "stx_uid", 20, "stx_gid", 24, "stx_mode", 28, "__spare0", 30, "stx_ino", 32, "stx_size", 40,
                    "stx_blocks", 48, "stx_attributes_mask", 56, "stx_atime", 64, "stx_btime", 80, "stx_ctime", 96,
                    "stx_mtime", 112, "stx_rdev_major", 128, "stx_rdev_minor", 132, "stx_dev_major", 136,
                    "stx_dev_minor", 140, "stx_mnt_id", 144, "stx_dio_mem_align", 152, "stx_dio_offset_align", 156,
                    "__spare3", 160),
            entry("libc", "statx_timestamp", 16, "tv_sec", 0, "tv_nsec", 8, "__reserved", 12),
            entry("fuse", "fuse_in_header", 40, "len", 0, "opcode", 4, "unique", 8, "nodeid", 16, "uid", 24, "gid", 28, "pid", 32, "total_extlen", 36, "padding", 38),
            entry("fuse", "fuse_out_header", 16, "len", 0, "error", 4, "unique", 8),
            entry("fuse", "fuse_init_in", 64, "major", 0, "minor", 4, "max_readahead", 8, "flags", 12, "flags2", 16, "unused", 20),
            entry("fuse", "fuse_init_out", 64, "major", 0, "minor", 4, "max_readahead", 8, "flags", 12, "max_background", 16, "congestion_threshold", 18, "max_write", 20, "time_gran", 24, "max_pages", 28, "map_alignment", 30, "flags2", 32, "max_stack_depth", 36, "unused", 40),
            entry("fuse", "fuse_attr", 88, "ino", 0, "size", 8, "blocks", 16, "atime", 24, "mtime", 32, "ctime", 40, "atimensec", 48, "mtimensec", 52, "ctimensec", 56, "mode", 60, "nlink", 64, "uid", 68, "gid", 72, "rdev", 76, "blksize", 80, "flags", 84),
            entry("fuse", "fuse_entry_out", 128, "nodeid", 0, "generation", 8, "entry_valid", 16, "attr_valid", 24, "entry_valid_nsec", 32, "attr_valid_nsec", 36, "attr", 40),
            entry("fuse", "fuse_attr_out", 104, "attr_valid", 0, "attr_valid_nsec", 8, "dummy", 12, "attr", 16),
            entry("fuse", "fuse_getattr_in", 16, "getattr_flags", 0, "dummy", 4, "fh", 8),
            entry("fuse", "fuse_setattr_in", 88, "valid", 0, "padding", 4, "fh", 8, "size", 16, "lock_owner", 24,
                    "atime", 32, "mtime", 40, "ctime", 48, "atimensec", 56, "mtimensec", 60, "ctimensec", 64, "mode", 68,
                    "unused4", 72, "uid", 76, "gid", 80, "unused5", 84),
            entry("fuse", "fuse_open_in", 8, "flags", 0, "open_flags", 4),
            entry("fuse", "fuse_open_out", 16, "fh", 0, "open_flags", 8, "backing_id", 12),
            entry("fuse", "fuse_read_in", 40, "fh", 0, "offset", 8, "size", 16, "read_flags", 20, "lock_owner", 24, "flags", 32, "padding", 36),
            entry("fuse", "fuse_write_in", 40, "fh", 0, "offset", 8, "size", 16, "write_flags", 20, "lock_owner", 24, "flags", 32, "padding", 36),
            entry("fuse", "fuse_write_out", 8, "size", 0, "padding", 4),
            entry("fuse", "fuse_release_in", 24, "fh", 0, "flags", 8, "release_flags", 12, "lock_owner", 16),
            entry("fuse", "fuse_flush_in", 24, "fh", 0, "unused", 8, "padding", 12, "lock_owner", 16),
            entry("fuse", "fuse_forget_in", 8, "nlookup", 0),
            entry("fuse", "fuse_forget_one", 16, "nodeid", 0, "nlookup", 8),
            entry("fuse", "fuse_batch_forget_in", 8, "count", 0, "dummy", 4),
            entry("fuse", "fuse_ioctl_in", 32, "fh", 0, "flags", 8, "cmd", 12, "arg", 16, "in_size", 24, "out_size", 28),
            entry("fuse", "fuse_ioctl_out", 16, "result", 0, "flags", 4, "in_iovs", 8, "out_iovs", 12),
            entry("fuse", "fuse_poll_in", 24, "fh", 0, "kh", 8, "flags", 16, "events", 20),
            entry("fuse", "fuse_poll_out", 8, "revents", 0, "padding", 4),
            entry("fuse", "fuse_notify_poll_wakeup_out", 8, "kh", 0),
            entry("fuse", "fuse_interrupt_in", 8, "unique", 0),
            entry("fuse", "fuse_kstatfs", 80, "blocks", 0, "bfree", 8, "bavail", 16, "files", 24, "ffree", 32, "bsize", 40, "namelen", 44, "frsize", 48, "padding", 52, "spare", 56),
            entry("fuse", "fuse_statfs_out", 80, "st", 0),
            entry("fuse", "fuse_dirent", 24, "ino", 0, "off", 8, "namelen", 16, "type", 20, "name", 24),
            entry("fuse", "fuse_notify_store_out", 24, "nodeid", 0, "offset", 8, "size", 16, "padding", 20),
            entry("fuse", "fuse_notify_retrieve_out", 32, "notify_unique", 0, "nodeid", 8, "offset", 16, "size", 24, "padding", 28),
            entry("fuse", "fuse_notify_retrieve_in", 40, "dummy1", 0, "offset", 8, "size", 16, "dummy2", 20, "dummy3", 24, "dummy4", 32),
            entry("fuse", "fuse_notify_inval_inode_out", 24, "ino", 0, "off", 8, "len", 16),
            entry("fuse", "fuse_backing_map", 16, "fd", 0, "flags", 4, "padding", 8)
    );

    private static GroupLayout layoutOf(Expected e) throws ReflectiveOperationException {
        Class<?> type = Class.forName(e.packageName() + "." + e.struct());
        return (GroupLayout) type.getMethod("layout").invoke(null);
    }

    @Test
    void everyStructHasTheAbisSizeMembersAndOffsets() throws ReflectiveOperationException {
        for (Expected e : EXPECTED) {
            GroupLayout layout = layoutOf(e);
            assertEquals(e.size(), layout.byteSize(), e.struct() + " size");
            List<String> members = new ArrayList<>();
            for (MemoryLayout member : layout.memberLayouts()) {
                member.name().ifPresent(members::add); // unnamed members are padding
            }
            assertEquals(List.copyOf(e.offsets().keySet()), members, e.struct() + " members");
            for (Map.Entry<String, Long> field : e.offsets().entrySet()) {
                assertEquals(field.getValue(), layout.byteOffset(PathElement.groupElement(field.getKey())),
                        e.struct() + "." + field.getKey());
            }
        }
    }

    @Test
    void everyStructTheArgumentFilesNameIsChecked() throws IOException {
        TreeSet<String> named = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("bindings"))) {
            for (Path args : files.filter(p -> p.toString().endsWith(".args")).toList()) {
                String packageName = targetPackage(args);
                for (String line : Files.readAllLines(args)) {
                    String[] words = line.trim().split("\\s+");
                    if (words[0].equals("--include-struct")) {
                        named.add(packageName + "." + words[1]);
                    }
                }
            }
        }
        TreeSet<String> checked = new TreeSet<>();
        EXPECTED.forEach(e -> checked.add(e.packageName() + "." + e.struct()));
        assertEquals(named, checked);
    }
}
