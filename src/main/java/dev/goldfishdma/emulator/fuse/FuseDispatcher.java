package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.emulator.service.RateLimitedLog;
import dev.goldfishdma.libc.Errno;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How a FUSE request is dispatched: the table of the opcodes the emulator serves, and the request boundary
 * where a handler's result becomes exactly one reply.
 *
 * <p>A request travels one way: {@link FuseServer}'s request thread reads it from the
 * {@link FuseConnection}; {@link #dispatch} finds its {@link Opcode} and calls that opcode's handler
 * ({@link NodeNamespace} for names and attributes; {@link OpenFiles} for the device and status files, which
 * asks the device model and the memory model; {@link Interrupts}; the memory model, {@link RegionSharing},
 * for the kernel's answers to retrieves); the handler returns a {@link FuseReply}, and {@link #dispatch}
 * writes it. INIT, the first request of a connection, is answered before dispatching starts
 * ({@link FuseServer}, {@link FuseInit}). Runs on the request thread only.
 */
final class FuseDispatcher {
    private static final System.Logger LOG = System.getLogger(FuseDispatcher.class.getName());
    private static final boolean ANSWERED = true;
    private static final boolean UNANSWERED = false;

    /** Handles a request of one opcode, returning its answer. */
    @FunctionalInterface
    interface Handler {
        FuseReply handle(FuseDispatcher handlers, FuseRequest request, Arena arena);
    }

    /**
     * The opcodes served, each written once: its number, whether the kernel waits for an answer, and its
     * handler. Any other opcode is answered ENOSYS.
     */
    enum Opcode {
        DESTROY(Fuse.FUSE_DESTROY(), ANSWERED, (d, request, arena) -> FuseReply.ok()),

        LOOKUP(Fuse.FUSE_LOOKUP(), ANSWERED, (d, request, arena) -> d.namespace.lookup(request, arena)),
        FORGET(Fuse.FUSE_FORGET(), UNANSWERED, (d, request, arena) -> d.namespace.forget(request)),
        BATCH_FORGET(Fuse.FUSE_BATCH_FORGET(), UNANSWERED, (d, request, arena) -> d.namespace.batchForget(request)),
        GETATTR(Fuse.FUSE_GETATTR(), ANSWERED, (d, request, arena) -> d.namespace.getattr(request, arena)),
        SETATTR(Fuse.FUSE_SETATTR(), ANSWERED, (d, request, arena) -> d.namespace.setattr(request)),
        STATFS(Fuse.FUSE_STATFS(), ANSWERED, (d, request, arena) -> d.namespace.statfs(arena)),
        OPENDIR(Fuse.FUSE_OPENDIR(), ANSWERED, (d, request, arena) -> d.namespace.opendir(request, arena)),
        READDIR(Fuse.FUSE_READDIR(), ANSWERED, (d, request, arena) -> d.namespace.readdir(request, arena)),
        RELEASEDIR(Fuse.FUSE_RELEASEDIR(), ANSWERED, (d, request, arena) -> FuseReply.ok()),

        OPEN(Fuse.FUSE_OPEN(), ANSWERED, (d, request, arena) -> d.files.open(request, arena)),
        READ(Fuse.FUSE_READ(), ANSWERED, (d, request, arena) -> d.files.read(request)),
        WRITE(Fuse.FUSE_WRITE(), ANSWERED, (d, request, arena) -> d.files.write(request, arena)),
        IOCTL(Fuse.FUSE_IOCTL(), ANSWERED, (d, request, arena) -> d.files.ioctl(request, arena)),
        POLL(Fuse.FUSE_POLL(), ANSWERED, (d, request, arena) -> d.files.poll(request, arena)),
        FLUSH(Fuse.FUSE_FLUSH(), ANSWERED, (d, request, arena) -> FuseReply.ok()),
        RELEASE(Fuse.FUSE_RELEASE(), ANSWERED, (d, request, arena) -> d.files.release(request)),

        INTERRUPT(Fuse.FUSE_INTERRUPT(), UNANSWERED, (d, request, arena) -> d.interrupts.interrupt(request)),
        NOTIFY_REPLY(Fuse.FUSE_NOTIFY_REPLY(), UNANSWERED, (d, request, arena) -> d.memory.onRetrieveReply(request));

        private static final Map<Integer, Opcode> BY_CODE = Arrays.stream(values())
                .collect(Collectors.toUnmodifiableMap(opcode -> opcode.code, Function.identity()));

        private final int code;
        private final boolean answered;
        private final Handler handler;

        Opcode(int code, boolean answered, Handler handler) {
            this.code = code;
            this.answered = answered;
            this.handler = handler;
        }

        /** The opcode numbered {@code code}, or null for one the emulator does not serve. */
        static Opcode of(int code) {
            return BY_CODE.get(code);
        }

    }

    private final FuseConnection connection;
    private final NodeNamespace namespace;
    private final OpenFiles files;
    private final Interrupts interrupts;
    private final RegionSharing memory;
    private final RateLimitedLog log;

    FuseDispatcher(FuseConnection connection, NodeNamespace namespace, OpenFiles files, Interrupts interrupts,
                   RegionSharing memory, RateLimitedLog log) {
        this.connection = connection;
        this.namespace = namespace;
        this.files = files;
        this.interrupts = interrupts;
        this.memory = memory;
        this.log = log;
    }

    /**
     * Handles one request and answers it, unless its opcode takes no answer: the request boundary. Whatever
     * happens inside, an answered opcode gets exactly one reply, now or (for {@link FuseReply#LATER}) from
     * whoever completes it: a handler that throws anything, an Error included, is answered ENOMEM for an
     * OutOfMemoryError and EIO for anything else, and the failure is logged (rate-limited). Nothing thrown
     * here stops the request thread.
     *
     * @return false after DESTROY: the kernel will send nothing more
     */
    boolean dispatch(FuseRequest request) {
        Opcode opcode = null;
        boolean replied = false;
        try {
            opcode = Opcode.of(request.opcode());
            if (opcode == null) {
                replied = true;
                connection.reply(request.unique(), Errno.ENOSYS);
                return true;
            }
            try (Arena arena = Arena.ofConfined()) {
                FuseReply reply;
                try {
                    reply = opcode.handler.handle(this, request, arena);
                } catch (Throwable e) {
                    logFailure(opcode, request, e);
                    reply = FuseReply.error(errnoFor(e));
                }
                if (opcode.answered) {
                    Runnable undo = answer(opcode, request, reply);
                    replied = true; // written (or left to its completion): never a second one
                    if (undo != null) {
                        undo.run();
                    }
                }
            }
        } catch (Throwable e) {
            logFailure(opcode, request, e);
            if (!replied && (opcode == null || opcode.answered)) {
                answerQuietly(request.unique(), errnoFor(e));
            }
        }
        return opcode != Opcode.DESTROY;
    }

    /** The errno a request gets when its handling threw {@code failure}. */
    static int errnoFor(Throwable failure) {
        return failure instanceof OutOfMemoryError ? Errno.ENOMEM : Errno.EIO;
    }

    private void logFailure(Opcode opcode, FuseRequest request, Throwable failure) {
        try {
            log.log(LOG, System.Logger.Level.ERROR, "failed to handle " + (opcode == null ? "a request" : opcode)
                    + " (" + request + ")", failure);
        } catch (Throwable ignored) {
            // Even logging failed (no memory): the answer matters more.
        }
    }

    private void answerQuietly(long unique, int errno) {
        try {
            connection.reply(unique, errno);
        } catch (Throwable ignored) {
            // The reply itself could not be written; nothing is left to try.
        }
    }

    /**
     * Writes the reply, unless it comes later.
     *
     * @return what to undo because the kernel refused a success, or null
     */
    private Runnable answer(Opcode opcode, FuseRequest request, FuseReply reply) {
        switch (reply) {
            case FuseReply.Ok ok -> {
                int refused = connection.reply(request.unique(), 0, ok.payload());
                return refused != 0 ? ok.ifRefused() : null;
            }
            case FuseReply.Error error -> connection.reply(request.unique(), error.errno());
            case FuseReply.Later later -> {
                // Its completion answers it.
            }
            case FuseReply.None none -> {
                log.log(LOG, System.Logger.Level.ERROR, "no answer to " + opcode + " (" + request + "), which takes one");
                connection.reply(request.unique(), Errno.EIO);
            }
        }
        return null;
    }
}
