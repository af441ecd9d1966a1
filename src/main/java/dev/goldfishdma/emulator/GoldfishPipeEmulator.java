package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.model.GoldfishDevice;
import dev.goldfishdma.emulator.model.RegionTable;
import dev.goldfishdma.emulator.service.DiscardService;
import dev.goldfishdma.emulator.service.DmaChecksumService;
import dev.goldfishdma.emulator.service.EchoService;
import dev.goldfishdma.emulator.service.HangUpService;
import dev.goldfishdma.emulator.service.HostService;
import dev.goldfishdma.emulator.service.RegionMemory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An emulation of the goldfish pipe device with DMA, served over FUSE on a directory: the file
 * {@code goldfish_pipe} in it behaves like the driver's device node (see the package documentation for
 * the differences), and the file {@code status} lists the live pipes and regions.
 *
 * <p><b>Map the device only from another process.</b> A thread that touches a mapping of the device waits
 * in the kernel, inside a page fault, until this server answers; a Java thread in a page fault is not at a
 * safepoint. If this server runs in the same JVM and needs a safepoint meanwhile (any garbage collection),
 * the JVM waits for the faulting thread, which waits for the server, which waits for the JVM: both hang.
 * So anything that maps the device, tests included, talks to an emulator in a child process
 * ({@link EmulatorProcess}). In-process use is fine for everything else (pipe I/O, ioctls, poll).
 *
 * <p>Requests are read by one thread, which never waits for anything but {@code /dev/fuse}: reads that
 * find no data are parked and answered later, and services do their slow work on threads of their own,
 * so replies go out in any order.
 */
public final class GoldfishPipeEmulator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GoldfishPipeEmulator.class.getName());
    private static final long INIT_TIMEOUT_SECONDS = 10;
    private static final long STOP_TIMEOUT_MILLIS = 5000;

    private final Path mountDir;
    private final FuseConnection connection;
    private final GoldfishPipeFilesystem filesystem;
    private final HostMemory memory;
    private final Thread requestThread;
    private volatile boolean closed;

    private GoldfishPipeEmulator(Path mountDir, FuseConnection connection, Collection<? extends HostService> services) {
        this.mountDir = mountDir;
        this.connection = connection;
        RegionTable regions = new RegionTable();
        this.memory = new HostMemory(connection, regions);
        this.filesystem = new GoldfishPipeFilesystem(connection, new GoldfishDevice(services, regions, memory), memory);
        this.requestThread = new Thread(this::serve, "goldfish-fuse-requests");
        this.requestThread.setDaemon(true);
        memory.setRequestThread(requestThread);
    }

    /**
     * The services every emulator offers: {@code echo}, {@code dma}, {@code opengles} (discarding), and
     * {@code hangup} (echoes, then closes mid-stream).
     */
    public static List<HostService> defaultServices() {
        return List.of(new EchoService(), new DmaChecksumService(), new DiscardService("opengles"),
                new HangUpService());
    }

    /** Mounts the emulator on {@code mountDir} with the {@linkplain #defaultServices() default services}. */
    public static GoldfishPipeEmulator start(Path mountDir) throws IOException {
        return start(mountDir, defaultServices());
    }

    /**
     * Mounts the emulator on the existing directory {@code mountDir} and returns once it serves. A dead
     * mount left there by a killed emulator is detached first.
     *
     * @throws IOException when the directory is missing, already served, or cannot be mounted on
     *                     (e.g. {@code EPERM} without the right to mount)
     */
    public static GoldfishPipeEmulator start(Path mountDir, Collection<? extends HostService> services)
            throws IOException {
        Path dir = mountDir.toAbsolutePath().normalize();
        int stale = MountTable.detachStale(dir);
        if (stale > 0) {
            LOG.log(System.Logger.Level.INFO, "detached " + stale + " dead mount(s) left on " + dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("not a directory: " + dir);
        }
        FuseConnection connection = FuseConnection.mount(dir);
        GoldfishPipeEmulator emulator = new GoldfishPipeEmulator(dir, connection, services);
        emulator.requestThread.start();
        try {
            if (!emulator.filesystem.initialized().await(INIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                emulator.close();
                throw new IOException("the kernel did not send FUSE INIT within " + INIT_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            emulator.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        }
        return emulator;
    }

    /** The directory the emulator is mounted on. */
    public Path mountDir() {
        return mountDir;
    }

    /** The device file, to open as the driver's {@code /dev/goldfish_pipe}. */
    public Path devicePath() {
        return mountDir.resolve(GoldfishPipeFilesystem.DEVICE_NAME);
    }

    /** The status file: live pipes and regions, one per line, regenerated on each open. */
    public Path statusPath() {
        return mountDir.resolve(GoldfishPipeFilesystem.STATUS_NAME);
    }

    /** Host access to the live DMA regions, as services have it. */
    public RegionMemory memory() {
        return memory;
    }

    /** The status file's current text (see {@link #statusPath()}). */
    public String status() {
        return filesystem.statusText();
    }

    /** Waits until the emulator stops serving: closed, or unmounted from outside. */
    public void awaitTermination() throws InterruptedException {
        requestThread.join();
    }

    private void serve() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(FuseProtocol.READ_BUFFER_SIZE, 8);
            while (!closed) {
                int length = connection.readRequest(buffer);
                if (length < 0) {
                    break;
                }
                FuseRequest request = new FuseRequest(buffer, length);
                try {
                    if (!filesystem.handle(request)) {
                        break;
                    }
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "failed to handle " + request, e);
                    if (GoldfishPipeFilesystem.expectsReply(request.opcode())) {
                        connection.reply(request.unique(), dev.goldfishdma.libc.Errno.EIO);
                    }
                }
            }
        } catch (Exception e) {
            if (!closed) {
                LOG.log(System.Logger.Level.ERROR, "reading /dev/fuse failed; the emulator stops", e);
            }
        }
    }

    /**
     * Unmounts (detached: the directory is free at once) and stops serving; processes still using the
     * file system then get errors (ENOTCONN, or SIGBUS in a mapping). Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        connection.unmount();
        connection.wakeUp();
        try {
            requestThread.join(STOP_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        filesystem.releaseAll();
        connection.close();
    }
}
