package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.emulator.fuse.gen.fuse_init_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_init_out;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The INIT negotiation: the protocol version, the features the emulator asks for, and the limits of the
 * {@link FuseConnection} it announces.
 */
final class FuseInit {
    private static final System.Logger LOG = System.getLogger(FuseInit.class.getName());

    /**
     * Bit 36 of the 64-bit INIT flags, i.e. bit 4 of {@code flags2}: lets a file opened with
     * {@code FOPEN_DIRECT_IO} be mapped {@code MAP_SHARED} through the page cache (Linux 6.6, protocol 7.39).
     * Defined by hand because the installed header stops at 7.38; the kernel tests the bit whatever minor
     * version the server announces (fs/fuse/inode.c, process_init_reply).
     */
    static final int DIRECT_IO_ALLOW_MMAP_FLAGS2 = 1 << (36 - 32);

    private static final int WANTED_FLAGS = Fuse.FUSE_ASYNC_READ() | Fuse.FUSE_BIG_WRITES() | Fuse.FUSE_MAX_PAGES()
            | Fuse.FUSE_INIT_EXT();

    private final CountDownLatch initialized = new CountDownLatch(1);

    /** Answers INIT: ours is the older of the two minor versions; features are those both sides have. */
    FuseReply negotiate(FuseRequest request, Arena arena) {
        MemorySegment in = request.body();
        int major = fuse_init_in.major(in);
        int minor = fuse_init_in.minor(in);
        int kernelFlags = fuse_init_in.flags(in);
        int kernelFlags2 = (kernelFlags & Fuse.FUSE_INIT_EXT()) != 0 && in.byteSize() >= fuse_init_in.sizeof()
                ? fuse_init_in.flags2(in) : 0;
        MemorySegment out = fuse_init_out.allocate(arena);
        fuse_init_out.major(out, Fuse.FUSE_KERNEL_VERSION());
        fuse_init_out.minor(out, Math.min(minor, Fuse.FUSE_KERNEL_MINOR_VERSION()));
        if (major != Fuse.FUSE_KERNEL_VERSION()) {
            // A newer major: answer ours, and the kernel either retries with it or gives up.
            return FuseReply.ok(out);
        }
        int flags2 = kernelFlags2 & DIRECT_IO_ALLOW_MMAP_FLAGS2;
        if (flags2 == 0) {
            LOG.log(System.Logger.Level.WARNING, "the kernel does not offer FUSE_DIRECT_IO_ALLOW_MMAP "
                    + "(Linux 6.6 or newer): mmap of the device will fail with ENODEV");
        }
        fuse_init_out.max_readahead(out, fuse_init_in.max_readahead(in));
        fuse_init_out.flags(out, WANTED_FLAGS & kernelFlags);
        fuse_init_out.flags2(out, flags2);
        fuse_init_out.max_background(out, (short) 16);
        fuse_init_out.congestion_threshold(out, (short) 12);
        fuse_init_out.max_write(out, FuseConnection.MAX_WRITE);
        fuse_init_out.time_gran(out, 1);
        fuse_init_out.max_pages(out, (short) FuseConnection.MAX_PAGES);
        // The reply goes out as this returns; requests made meanwhile wait for it in the kernel.
        initialized.countDown();
        return FuseReply.ok(out);
    }

    /** Waits until INIT is answered, i.e. the mount serves; false if {@code timeout} passed first. */
    boolean awaitInitialized(long timeout, TimeUnit unit) throws InterruptedException {
        return initialized.await(timeout, unit);
    }
}
