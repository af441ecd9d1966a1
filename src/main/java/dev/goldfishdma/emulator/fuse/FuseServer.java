package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.GoldfishDevice;
import dev.goldfishdma.emulator.model.RegionLimits;
import dev.goldfishdma.emulator.model.PipeLimits;
import dev.goldfishdma.emulator.model.RegionTable;
import dev.goldfishdma.emulator.service.HostService;
import dev.goldfishdma.emulator.service.RateLimitedLog;
import dev.goldfishdma.emulator.service.RegionMemory;
import dev.goldfishdma.emulator.service.ServiceLimits;
import dev.goldfishdma.emulator.service.ServiceThreads;
import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Objects;

/**
 * The emulator's FUSE transport: serves a {@link GoldfishDevice} on a directory as two files, the device
 * ({@value NodeNamespace#DEVICE_FILE_NAME}) and its status ({@value NodeNamespace#STATUS_FILE_NAME}), over
 * {@code /dev/fuse} spoken directly. It mounts ({@link FuseMount}), answers INIT and settles the memory
 * model ({@link Passthrough}: {@link PassthroughMemory} or {@link PageCacheMemory}), then reads requests on
 * one thread and hands each to the {@link FuseDispatcher}.
 *
 * <p>The request thread never waits for anything but {@code /dev/fuse}: reads that find no data and writes
 * that find no room are parked and answered later, and services do their slow work on the emulator's few
 * service threads ({@link ServiceThreads}), so replies go out in any order. Everything is bounded by
 * {@link Limits}.
 */
public final class FuseServer implements AutoCloseable {
    /** Whether to share regions through FUSE passthrough, else through the page cache. */
    public enum Passthrough {
        /** Passthrough when the kernel grants it and a backing file can be registered, else the page cache. */
        TRY,
        /** Passthrough, or fail to start. */
        REQUIRE,
        /** The page cache, without asking for passthrough. */
        NEVER
    }

    /**
     * The limits of a server.
     *
     * @param requestTimeoutSeconds the FUSE request timeout asked of the kernel, in seconds, or 0 for none
     *                              (the default): see {@link FuseInit#REQUEST_TIMEOUT_FLAG}; a kernel without
     *                              it (before Linux 6.14) fails the start
     * @param logLinesPerMinute     the log's budget ({@link RateLimitedLog})
     * @param pipes                 each pipe's limits
     * @param services              the service threads' limits
     * @param regions               how many pipes and region bytes the device gives
     */
    public record Limits(int requestTimeoutSeconds, int logLinesPerMinute, PipeLimits pipes, ServiceLimits services,
                         RegionLimits regions) {
        /** The defaults: no request timeout, 60 log lines a minute, the pipes', services' and regions' defaults. */
        public static final Limits DEFAULTS = new Limits(0, RateLimitedLog.DEFAULT_LINES_PER_MINUTE,
                PipeLimits.DEFAULTS, ServiceLimits.DEFAULTS, RegionLimits.DEFAULTS);

        /**
         * Checks the limits.
         *
         * @throws IllegalArgumentException for a request timeout outside 0 to 65535 s or a log budget below 1
         */
        public Limits {
            if (requestTimeoutSeconds < 0 || requestTimeoutSeconds > FuseInit.MAX_REQUEST_TIMEOUT_SECONDS) {
                throw new IllegalArgumentException("request timeout: " + requestTimeoutSeconds
                        + " s; give 0 (none) to " + FuseInit.MAX_REQUEST_TIMEOUT_SECONDS);
            }
            if (logLinesPerMinute < 1) {
                throw new IllegalArgumentException("log rate: " + logLinesPerMinute + " lines a minute; give at least 1");
            }
            Objects.requireNonNull(pipes, "pipes");
            Objects.requireNonNull(services, "services");
            Objects.requireNonNull(regions, "regions");
        }
    }

    private static final System.Logger LOG = System.getLogger(FuseServer.class.getName());
    private static final int INIT_TIMEOUT_MILLIS = 10_000;
    private static final long STOP_TIMEOUT_MILLIS = 5000;

    private final FuseMount mount;
    private final FuseConnection connection;
    private final GoldfishDevice device;
    private final RegionSharing memory;
    private final OpenFiles files;
    private final FuseDispatcher dispatcher;
    private final ServiceThreads serviceThreads;
    private final Thread requestThread;
    private volatile boolean closed;

    private FuseServer(FuseMount mount, FuseConnection connection, Collection<? extends HostService> services,
                       RegionTable regions, RegionSharing memory, MountSettings settings, Limits limits,
                       RateLimitedLog log)
            throws IOException {
        this.mount = mount;
        this.connection = connection;
        this.memory = memory;
        this.serviceThreads = new ServiceThreads(limits.services(), log);
        this.device = new GoldfishDevice(services, regions, memory::of, limits.regions(), limits.pipes(), serviceThreads);
        NodeNamespace namespace = new NodeNamespace(device::regionSizeOnInode, settings);
        Interrupts interrupts = new Interrupts();
        this.files = new OpenFiles(device, namespace, memory, interrupts, new CallerMappings(mount.mapsDeviceNumber()),
                "mounted-by " + mount.describe() + "\n" + "memory " + memory.describe() + "\n");
        this.dispatcher = new FuseDispatcher(connection, namespace, files, interrupts, memory, log);
        this.requestThread = new Thread(this::serve, "goldfish-fuse-requests");
        this.requestThread.setDaemon(true);
        if (memory instanceof PageCacheMemory pageCache) {
            pageCache.setRequestThread(requestThread);
        }
    }

    /**
     * Mounts on the existing directory {@code dir} (see {@link FuseMount}), answers the kernel's INIT, settles
     * the memory model and returns serving within {@code limits}.
     *
     * @param dir         the mount point
     * @param services    the host services guests may connect to
     * @param passthrough whether to share regions through passthrough
     * @param settings    who may use the mount, and whether a non-empty directory will do
     * @param limits      the server's limits
     * @return the server, serving
     * @throws IOException when mounting fails, the kernel sends no INIT, passthrough was required and is not
     *                     available, or a request timeout was asked for and the kernel does not offer it (the
     *                     message says why)
     */
    public static FuseServer start(Path dir, Collection<? extends HostService> services, Passthrough passthrough,
                                   MountSettings settings, Limits limits) throws IOException {
        RateLimitedLog log = new RateLimitedLog(limits.logLinesPerMinute());
        FuseMount mount = FuseMount.mount(dir, settings);
        FuseConnection connection;
        try {
            connection = new FuseConnection(mount.deviceFd(), log);
        } catch (IOException | RuntimeException e) {
            mount.unmount();
            throw e;
        }
        try {
            RegionTable regions = new RegionTable();
            FuseServer server = new FuseServer(mount, connection, services, regions,
                    initialize(connection, regions, passthrough, limits.requestTimeoutSeconds()), settings, limits, log);
            server.requestThread.start();
            return server;
        } catch (IOException | RuntimeException e) {
            mount.unmount();
            connection.close();
            throw e;
        }
    }

    /**
     * Reads and answers INIT, then picks the memory model: passthrough when it was asked for, the kernel
     * granted it and a backing file can be registered; else the page cache, unless passthrough was required.
     */
    private static RegionSharing initialize(FuseConnection connection, RegionTable regions, Passthrough requested,
                                            int requestTimeoutSeconds) throws IOException {
        FuseInit.Negotiated negotiated;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(FuseConnection.READ_BUFFER_SIZE, 8);
            int length = connection.readRequest(buffer, INIT_TIMEOUT_MILLIS);
            if (length < 0) {
                throw new IOException("the kernel did not send FUSE INIT within " + INIT_TIMEOUT_MILLIS / 1000 + " s");
            }
            FuseRequest request = new FuseRequest(buffer, length, connection.readsStarted());
            if (request.opcode() != Fuse.FUSE_INIT()) {
                throw new IOException("the kernel's first FUSE request was opcode " + request.opcode() + ", not INIT");
            }
            negotiated = FuseInit.negotiate(request, requested != Passthrough.NEVER, requestTimeoutSeconds, arena);
            FuseReply.Ok answer = negotiated.reply();
            int refused = connection.reply(request.unique(), 0, answer.payload());
            if (refused != 0) {
                throw new IOException("the kernel refused the answer to INIT: " + Errno.name(refused));
            }
            connection.handled(request.sequence());
        }
        if (requestTimeoutSeconds > 0 && !negotiated.requestTimeout()) {
            throw new IOException("a request timeout was asked for and the kernel does not offer FUSE_REQUEST_TIMEOUT"
                    + " (Linux 6.14 or newer)");
        }
        String why;
        if (requested == Passthrough.NEVER) {
            why = null;
        } else if (!negotiated.passthrough()) {
            why = "the kernel does not offer FUSE passthrough (Linux 6.9 or newer, built with CONFIG_FUSE_PASSTHROUGH)";
        } else {
            why = PassthroughMemory.probe(connection);
            if (why == null) {
                return new PassthroughMemory(connection, regions);
            }
        }
        if (requested == Passthrough.REQUIRE) {
            throw new IOException("FUSE passthrough is not available: " + why);
        }
        if (!negotiated.directIoAllowMmap()) {
            LOG.log(System.Logger.Level.WARNING, "the kernel does not offer FUSE_DIRECT_IO_ALLOW_MMAP "
                    + "(Linux 6.6 or newer): mmap of the device will fail with ENODEV");
        }
        // Why passthrough is not used goes to the status file (memoryDescription), not to the log: for an
        // ordinary user it is the usual case, and commands print their own lines first.
        return new PageCacheMemory(connection, regions, why);
    }

    /** The directory mounted on. */
    public Path mountPoint() {
        return mount.mountPoint();
    }

    /** {@return whether regions are shared through passthrough (else through the page cache)} */
    public boolean passthrough() {
        return memory instanceof PassthroughMemory;
    }

    /**
     * Host access to the live DMA regions of the emulator's own user, as the services of that user's pipes
     * have it; other users' regions are not found through it.
     */
    public RegionMemory memory() {
        return memory.of(Libc.getuid());
    }

    /** How many dead mounts of killed servers were detached from the directory before mounting. */
    public int deadMountsDetached() {
        return mount.deadMountsDetached();
    }

    /** The status file's current text: the device's pipes and regions, then how it is mounted. */
    public String statusText() {
        return files.statusText();
    }

    /** How the directory was mounted, e.g. {@code "fusermount3 (uid 1000)"}. */
    public String mountDescription() {
        return mount.describe();
    }

    /**
     * How region memory is shared, as the status file's {@code memory} line says it: {@code passthrough}, or
     * {@code page-cache} with why passthrough is not used when it was not asked away.
     */
    public String memoryDescription() {
        return memory.describe();
    }

    /** Waits until the server stops: closed, or unmounted from outside (DESTROY). */
    public void awaitTermination() throws InterruptedException {
        requestThread.join();
    }

    private void serve() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(FuseConnection.READ_BUFFER_SIZE, 8);
            while (!closed) {
                int length = connection.readRequest(buffer);
                if (length < 0) {
                    break;
                }
                FuseRequest request = new FuseRequest(buffer, length, connection.readsStarted());
                // dispatch answers whatever fails inside and never throws.
                boolean more = dispatcher.dispatch(request);
                connection.handled(request.sequence());
                if (!more) {
                    break;
                }
            }
        } catch (Exception e) {
            if (!closed) {
                LOG.log(System.Logger.Level.ERROR, "reading /dev/fuse failed; the emulator stops", e);
            }
        }
    }

    /**
     * Unmounts (detached: the directory is free at once), stops serving, releases every pipe and closes the
     * connection; processes still using the file system then get errors (ENOTCONN, or SIGBUS in a mapping
     * through the page cache; a passthrough mapping keeps its memory). Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        mount.unmount();
        connection.wakeUp();
        try {
            requestThread.join(STOP_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        memory.close();
        device.releaseAll();
        serviceThreads.close();
        connection.close();
    }
}
