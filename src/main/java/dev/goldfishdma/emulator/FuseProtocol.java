package dev.goldfishdma.emulator;

import dev.goldfishdma.gen.fuse.Fuse;
import dev.goldfishdma.libc.Libc;

/**
 * The FUSE protocol numbers the emulator uses, taken from the generated bindings of {@code <linux/fuse.h>},
 * plus the few that the installed header (protocol 7.38) is too old to define.
 */
final class FuseProtocol {
    static final int KERNEL_VERSION = Fuse.FUSE_KERNEL_VERSION();
    static final int KERNEL_MINOR_VERSION = Fuse.FUSE_KERNEL_MINOR_VERSION();
    static final long ROOT_ID = Fuse.FUSE_ROOT_ID();

    static final int LOOKUP = Fuse.FUSE_LOOKUP();
    static final int FORGET = Fuse.FUSE_FORGET();
    static final int GETATTR = Fuse.FUSE_GETATTR();
    static final int OPEN = Fuse.FUSE_OPEN();
    static final int READ = Fuse.FUSE_READ();
    static final int WRITE = Fuse.FUSE_WRITE();
    static final int STATFS = Fuse.FUSE_STATFS();
    static final int RELEASE = Fuse.FUSE_RELEASE();
    static final int FLUSH = Fuse.FUSE_FLUSH();
    static final int INIT = Fuse.FUSE_INIT();
    static final int OPENDIR = Fuse.FUSE_OPENDIR();
    static final int READDIR = Fuse.FUSE_READDIR();
    static final int RELEASEDIR = Fuse.FUSE_RELEASEDIR();
    static final int INTERRUPT = Fuse.FUSE_INTERRUPT();
    static final int DESTROY = Fuse.FUSE_DESTROY();
    static final int IOCTL = Fuse.FUSE_IOCTL();
    static final int POLL = Fuse.FUSE_POLL();
    static final int NOTIFY_REPLY = Fuse.FUSE_NOTIFY_REPLY();
    static final int BATCH_FORGET = Fuse.FUSE_BATCH_FORGET();

    static final int NOTIFY_POLL = Fuse.FUSE_NOTIFY_POLL();
    static final int NOTIFY_STORE = Fuse.FUSE_NOTIFY_STORE();
    static final int NOTIFY_RETRIEVE = Fuse.FUSE_NOTIFY_RETRIEVE();

    static final int ASYNC_READ = Fuse.FUSE_ASYNC_READ();
    static final int BIG_WRITES = Fuse.FUSE_BIG_WRITES();
    static final int MAX_PAGES_FLAG = Fuse.FUSE_MAX_PAGES();
    static final int INIT_EXT = Fuse.FUSE_INIT_EXT();
    /**
     * Bit 36 of the 64-bit INIT flags, i.e. bit 4 of {@code flags2}: lets a file opened with
     * {@code FOPEN_DIRECT_IO} be mapped {@code MAP_SHARED} through the page cache (Linux 6.6, protocol 7.39).
     * Defined by hand because the installed header stops at 7.38; the kernel tests the bit whatever minor
     * version the server announces (fs/fuse/inode.c, process_init_reply).
     */
    static final int DIRECT_IO_ALLOW_MMAP_FLAGS2 = 1 << (36 - 32);

    static final int FOPEN_DIRECT_IO = Fuse.FOPEN_DIRECT_IO();
    static final int FOPEN_NONSEEKABLE = Fuse.FOPEN_NONSEEKABLE();
    static final int FOPEN_STREAM = Fuse.FOPEN_STREAM();

    static final int READ_LOCKOWNER = Fuse.FUSE_READ_LOCKOWNER();
    static final int WRITE_CACHE = Fuse.FUSE_WRITE_CACHE();
    static final int WRITE_LOCKOWNER = Fuse.FUSE_WRITE_LOCKOWNER();
    static final int POLL_SCHEDULE_NOTIFY = Fuse.FUSE_POLL_SCHEDULE_NOTIFY();

    /** Requests carry at most this many pages; 256 is also the kernel's default ceiling (fs.fuse.max_pages_limit). */
    static final int MAX_PAGES = 256;
    /** Largest WRITE payload and NOTIFY_RETRIEVE answer: 1 MiB with 4 KiB pages. */
    static final int MAX_WRITE = (int) (MAX_PAGES * Libc.PAGE_SIZE);
    /**
     * The kernel refuses a read(2) of /dev/fuse smaller than a WRITE header plus max_write
     * (fs/fuse/dev.c, fuse_dev_do_read); the margin covers every header the emulator can receive.
     */
    static final int READ_BUFFER_SIZE = MAX_WRITE + 64 * 1024;

    private FuseProtocol() {
    }

    /** A readable name for an opcode, for logs. */
    static String opcodeName(int opcode) {
        if (opcode == LOOKUP) return "LOOKUP";
        if (opcode == FORGET) return "FORGET";
        if (opcode == GETATTR) return "GETATTR";
        if (opcode == OPEN) return "OPEN";
        if (opcode == READ) return "READ";
        if (opcode == WRITE) return "WRITE";
        if (opcode == STATFS) return "STATFS";
        if (opcode == RELEASE) return "RELEASE";
        if (opcode == FLUSH) return "FLUSH";
        if (opcode == INIT) return "INIT";
        if (opcode == OPENDIR) return "OPENDIR";
        if (opcode == READDIR) return "READDIR";
        if (opcode == RELEASEDIR) return "RELEASEDIR";
        if (opcode == INTERRUPT) return "INTERRUPT";
        if (opcode == DESTROY) return "DESTROY";
        if (opcode == IOCTL) return "IOCTL";
        if (opcode == POLL) return "POLL";
        if (opcode == NOTIFY_REPLY) return "NOTIFY_REPLY";
        if (opcode == BATCH_FORGET) return "BATCH_FORGET";
        return "opcode " + opcode;
    }
}
