package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.emulator.fuse.gen.fuse_init_in;
import dev.goldfishdma.emulator.fuse.gen.fuse_init_out;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The INIT negotiation: the protocol version, the features the emulator asks for, and the limits of the
 * {@link FuseConnection} it announces. INIT is the first request of every connection; {@link FuseServer}
 * answers it before serving anything else, because the memory model depends on what it grants.
 */
final class FuseInit {
    /**
     * {@code FUSE_DIRECT_IO_ALLOW_MMAP} (Linux 6.6, protocol 7.39), bit 36 of the 64-bit INIT flags, so a bit of
     * {@code flags2}: lets a file opened with {@code FOPEN_DIRECT_IO} be mapped {@code MAP_SHARED} through the
     * page cache. The page-cache memory model needs it.
     */
    static final int DIRECT_IO_ALLOW_MMAP_FLAGS2 = flags2(Fuse.FUSE_DIRECT_IO_ALLOW_MMAP());
    /**
     * {@code FUSE_PASSTHROUGH} (Linux 6.9, protocol 7.40), bit 37, in {@code flags2}. The kernel turns it on
     * only with a {@code max_stack_depth} of 1 or 2 and without the write-back cache (fs/fuse/inode.c,
     * process_init_reply); otherwise it stays off silently, and the kernel tests the bit whatever minor
     * version the server announces.
     */
    static final int PASSTHROUGH_FLAGS2 = flags2(Fuse.FUSE_PASSTHROUGH());
    /**
     * What {@code max_stack_depth} passthrough is asked with: 1, the backing files (memfds) being on a file
     * system that stacks on nothing.
     */
    static final int MAX_STACK_DEPTH = 1;

    /**
     * {@code FUSE_REQUEST_TIMEOUT} (Linux 6.14, protocol 7.42): bit 42 of the 64-bit INIT flags, so a bit of
     * {@code flags2}. Granted, the kernel aborts the whole connection when any request has waited for its
     * answer longer than {@code request_timeout} seconds (fs/fuse/dev.c, fuse_check_timeout, which looks at
     * the requests not yet read and at those read and not answered, every 15 s; fs/fuse/inode.c,
     * process_init_reply, reads the field whatever minor version the server announces). The pinned generated
     * header is protocol 7.41, which has neither the flag nor the field, so both are defined here by hand,
     * in this one place, and never in the generated code; {@code FuseInitTest} checks them against the
     * generated layout.
     */
    static final long REQUEST_TIMEOUT_FLAG = 1L << 42;
    /** {@link #REQUEST_TIMEOUT_FLAG} as a bit of {@code flags2}. */
    static final int REQUEST_TIMEOUT_FLAGS2 = flags2(REQUEST_TIMEOUT_FLAG);
    /**
     * Where {@code fuse_init_out.request_timeout} (a {@code uint16_t}, seconds) lies: right after
     * {@code max_stack_depth}, at the first two bytes of what 7.41 calls {@code unused}.
     */
    static final long REQUEST_TIMEOUT_OFFSET = 40;
    /** The largest request timeout the field holds, in seconds. */
    static final int MAX_REQUEST_TIMEOUT_SECONDS = 0xffff;

    /**
     * The INIT flags asked for. {@code FUSE_EXPLICIT_INVAL_DATA} (protocol 7.30): a size change seen in GETATTR
     * truncates the page cache past the new size but does not invalidate the rest of it (fs/fuse/inode.c,
     * fuse_change_attributes); the page-cache model changes the device file's size (see
     * {@link PageCacheMemory}). {@code FUSE_ATOMIC_O_TRUNC}: an open with O_TRUNC comes as an OPEN carrying
     * the flag, which the emulator ignores as the driver does, instead of an OPEN followed by a SETATTR of
     * the size, which it refuses ({@link NodeNamespace}).
     */
    private static final int WANTED_FLAGS = Fuse.FUSE_ASYNC_READ() | Fuse.FUSE_BIG_WRITES() | Fuse.FUSE_MAX_PAGES()
            | Fuse.FUSE_INIT_EXT() | Fuse.FUSE_EXPLICIT_INVAL_DATA() | Fuse.FUSE_ATOMIC_O_TRUNC();

    /**
     * The answer to INIT and what it granted.
     *
     * @param reply             the INIT answer
     * @param passthrough       whether FUSE passthrough was asked for and the kernel offered it
     * @param directIoAllowMmap whether the kernel offered FUSE_DIRECT_IO_ALLOW_MMAP (the page-cache model's
     *                          mmap needs it)
     * @param requestTimeout    whether a request timeout was asked for and the kernel offered it
     */
    record Negotiated(FuseReply.Ok reply, boolean passthrough, boolean directIoAllowMmap, boolean requestTimeout) {
    }

    private FuseInit() {
    }

    /** The {@code flags2} bit of a 64-bit INIT flag past bit 31. */
    private static int flags2(long flag) {
        return (int) (flag >>> 32);
    }

    /**
     * Answers INIT: ours is the older of the two minor versions; features are those both sides have, with
     * FUSE passthrough asked for when {@code askPassthrough}, and a request timeout of
     * {@code requestTimeoutSeconds} when it is above 0 (at most {@value #MAX_REQUEST_TIMEOUT_SECONDS}).
     */
    static Negotiated negotiate(FuseRequest request, boolean askPassthrough, int requestTimeoutSeconds,
                                Arena arena) {
        if (requestTimeoutSeconds < 0 || requestTimeoutSeconds > MAX_REQUEST_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("request timeout: " + requestTimeoutSeconds + " s; give 0 (none) to "
                    + MAX_REQUEST_TIMEOUT_SECONDS);
        }
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
            return new Negotiated(FuseReply.ok(out), false, false, false);
        }
        int wanted2 = DIRECT_IO_ALLOW_MMAP_FLAGS2 | (askPassthrough ? PASSTHROUGH_FLAGS2 : 0)
                | (requestTimeoutSeconds > 0 ? REQUEST_TIMEOUT_FLAGS2 : 0);
        int flags2 = kernelFlags2 & wanted2;
        boolean passthrough = (flags2 & PASSTHROUGH_FLAGS2) != 0;
        fuse_init_out.max_readahead(out, fuse_init_in.max_readahead(in));
        fuse_init_out.flags(out, WANTED_FLAGS & kernelFlags);
        fuse_init_out.flags2(out, flags2);
        fuse_init_out.max_background(out, (short) 16);
        fuse_init_out.congestion_threshold(out, (short) 12);
        fuse_init_out.max_write(out, FuseConnection.MAX_WRITE);
        fuse_init_out.time_gran(out, 1);
        fuse_init_out.max_pages(out, (short) FuseConnection.MAX_PAGES);
        if (passthrough) {
            fuse_init_out.max_stack_depth(out, MAX_STACK_DEPTH);
        }
        boolean requestTimeout = (flags2 & REQUEST_TIMEOUT_FLAGS2) != 0;
        if (requestTimeout) {
            out.set(JAVA_SHORT, REQUEST_TIMEOUT_OFFSET, (short) requestTimeoutSeconds);
        }
        return new Negotiated(FuseReply.ok(out), passthrough, (flags2 & DIRECT_IO_ALLOW_MMAP_FLAGS2) != 0,
                requestTimeout);
    }
}
