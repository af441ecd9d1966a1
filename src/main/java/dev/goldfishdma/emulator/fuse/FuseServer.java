package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.model.GoldfishDevice;
import dev.goldfishdma.emulator.model.RegionTable;
import dev.goldfishdma.emulator.service.HostService;
import dev.goldfishdma.emulator.service.RegionMemory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * The emulator's FUSE transport: serves a {@link GoldfishDevice} on a directory as two files, the device
 * ({@value NodeNamespace#DEVICE_FILE_NAME}) and its status ({@value NodeNamespace#STATUS_FILE_NAME}), over
 * {@code /dev/fuse} spoken directly. It mounts ({@link FuseMount}), reads requests on one thread and hands
 * each to the {@link FuseDispatcher}; the device's region memory is the page cache ({@link PageCacheMemory}).
 *
 * <p>The request thread never waits for anything but {@code /dev/fuse}: reads that find no data are parked
 * and answered later, and services do their slow work on threads of their own, so replies go out in any
 * order.
 */
public final class FuseServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FuseServer.class.getName());
    private static final long INIT_TIMEOUT_SECONDS = 10;
    private static final long STOP_TIMEOUT_MILLIS = 5000;

    private final FuseMount mount;
    private final FuseConnection connection;
    private final GoldfishDevice device;
    private final PageCacheMemory memory;
    private final FuseInit init = new FuseInit();
    private final OpenFiles files;
    private final FuseDispatcher dispatcher;
    private final Thread requestThread;
    private volatile boolean closed;

    private FuseServer(FuseMount mount, FuseConnection connection, Collection<? extends HostService> services) {
        this.mount = mount;
        this.connection = connection;
        RegionTable regions = new RegionTable();
        // Where the way of serving region memory is chosen. The page cache works for every mount; memory
        // shared with the guest through FUSE passthrough would need FuseMount.privileged() (its backing files
        // need CAP_SYS_ADMIN in the initial user namespace), which an ordinary user's mount never has.
        this.memory = new PageCacheMemory(connection, regions);
        this.device = new GoldfishDevice(services, regions, memory);
        NodeNamespace namespace = new NodeNamespace();
        Interrupts interrupts = new Interrupts();
        this.files = new OpenFiles(device, namespace, memory, interrupts, connection,
                "mounted-by " + mount.describe() + "\n" + "memory page-cache\n");
        this.dispatcher = new FuseDispatcher(connection, init, namespace, files, interrupts, memory);
        this.requestThread = new Thread(this::serve, "goldfish-fuse-requests");
        this.requestThread.setDaemon(true);
        memory.setRequestThread(requestThread);
    }

    /**
     * Mounts on the existing directory {@code dir} (see {@link FuseMount}) and returns once the kernel's
     * INIT is answered, i.e. the device serves.
     *
     * @param services the host services guests may connect to
     * @throws IOException when mounting fails, or the kernel sends no INIT
     */
    public static FuseServer start(Path dir, Collection<? extends HostService> services) throws IOException {
        FuseMount mount = FuseMount.mount(dir);
        FuseConnection connection;
        try {
            connection = new FuseConnection(mount.deviceFd());
        } catch (IOException | RuntimeException e) {
            mount.unmount();
            throw e;
        }
        FuseServer server = new FuseServer(mount, connection, services);
        server.requestThread.start();
        try {
            if (!server.init.awaitInitialized(INIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                server.close();
                throw new IOException("the kernel did not send FUSE INIT within " + INIT_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            server.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        }
        return server;
    }

    /** The directory mounted on. */
    public Path mountPoint() {
        return mount.mountPoint();
    }

    /** Host access to the live DMA regions, as services have it. */
    public RegionMemory memory() {
        return memory;
    }

    /** The status file's current text: the device's pipes and regions, then how it is mounted. */
    public String statusText() {
        return files.statusText();
    }

    /** How the directory was mounted, e.g. {@code "fusermount3 (uid 1000)"}. */
    public String mountDescription() {
        return mount.describe();
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
                if (length < 0 || !dispatcher.dispatch(new FuseRequest(buffer, length))) {
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
     * connection; processes still using the file system then get errors (ENOTCONN, or SIGBUS in a mapping).
     * Idempotent.
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
        device.releaseAll();
        connection.close();
    }
}
