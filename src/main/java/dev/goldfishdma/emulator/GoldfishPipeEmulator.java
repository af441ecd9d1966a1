package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.FuseMount;
import dev.goldfishdma.emulator.fuse.FuseUnavailableException;
import dev.goldfishdma.emulator.fuse.FuseServer;
import dev.goldfishdma.emulator.fuse.MountSettings;
import dev.goldfishdma.emulator.fuse.NodeNamespace;
import dev.goldfishdma.emulator.model.RegionLimits;
import dev.goldfishdma.emulator.service.DiscardService;
import dev.goldfishdma.emulator.service.DmaChecksumService;
import dev.goldfishdma.emulator.service.EchoService;
import dev.goldfishdma.emulator.service.HangUpService;
import dev.goldfishdma.emulator.service.HostService;
import dev.goldfishdma.emulator.service.RegionMemory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * An emulation of the goldfish pipe device with DMA, served over FUSE on a directory: the file
 * {@code goldfish_pipe} in it behaves like the driver's device node (see the package documentation for
 * the differences), and the file {@code status} lists the live pipes and regions.
 *
 * <p><b>Map the device only from another process.</b> With the page-cache memory model, a thread that touches
 * a mapping of the device waits in the kernel, inside a page fault, until this server answers; a Java
 * thread in a page fault is not at a safepoint. If this server runs in the same JVM and needs a safepoint
 * meanwhile (any garbage collection), the JVM waits for the faulting thread, which waits for the server,
 * which waits for the JVM: both hang. With passthrough no fault reaches the server, but which model serves
 * is settled only at start, so anything that maps the device, tests included, talks to an emulator in a
 * child process ({@link EmulatorProcess}). In-process use is fine for everything else (pipe I/O, ioctls,
 * poll).
 *
 * <p>An emulator that is not closed is closed by a shutdown hook: the JVM runs it on SIGTERM, SIGINT and
 * {@code System.exit}, so the mount goes with the process however it ends but by SIGKILL, which leaves a dead
 * mount that the next {@link #start} on the directory detaches.
 */
public final class GoldfishPipeEmulator implements AutoCloseable {
    private final FuseServer server;
    private final Thread shutdownHook;

    private GoldfishPipeEmulator(FuseServer server) {
        this.server = server;
        this.shutdownHook = new Thread(server::close, "goldfish-emulator-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * {@return the services every emulator offers: {@code echo}, {@code dma}, {@code opengles} (discarding),
     * and {@code hangup} (echoes, then closes mid-stream)}
     */
    public static List<HostService> defaultServices() {
        return List.of(new EchoService(), new DmaChecksumService(), new DiscardService("opengles"),
                new HangUpService());
    }

    /**
     * Mounts the emulator on {@code mountDir} with the {@linkplain #defaultServices() default services} and
     * the {@linkplain MemoryMode#fromSystemProperty() default memory mode}.
     *
     * @param mountDir an existing directory
     * @return the emulator, serving
     * @throws IOException as {@link #start(Path, Collection, MemoryMode)}
     */
    public static GoldfishPipeEmulator start(Path mountDir) throws IOException {
        return start(mountDir, defaultServices(), MemoryMode.fromSystemProperty());
    }

    /**
     * Mounts the emulator on {@code mountDir} with {@code services} and the
     * {@linkplain MemoryMode#fromSystemProperty() default memory mode}.
     *
     * @param mountDir an existing directory
     * @param services the host services a guest can connect to, by {@linkplain HostService#name() name}
     * @return the emulator, serving
     * @throws IOException as {@link #start(Path, Collection, MemoryMode)}
     */
    public static GoldfishPipeEmulator start(Path mountDir, Collection<? extends HostService> services)
            throws IOException {
        return start(mountDir, services, MemoryMode.fromSystemProperty());
    }

    /**
     * Mounts the emulator on the existing directory {@code mountDir} and returns once it serves. A dead
     * mount left there by a killed emulator is detached first.
     *
     * @param mountDir an existing directory
     * @param services the host services a guest can connect to, by {@linkplain HostService#name() name}
     * @param memory   how regions are shared with the guest's mappings: {@link MemoryMode#AUTO} takes FUSE
     *                 passthrough when the kernel offers it and the emulator may use it (CAP_SYS_ADMIN in the
     *                 initial user namespace: root), else the page cache
     * @return the emulator, serving
     * @throws EmulatorUnavailableException when this user can mount FUSE in no way (no access to
     *                     {@code /dev/fuse}, or neither the right to mount nor {@code fusermount3}): the
     *                     message says what is missing
     * @throws IOException when the directory is missing, already served, or cannot be mounted on; or when
     *                     {@link MemoryMode#PASSTHROUGH} is asked for and not available (the message says why)
     */
    public static GoldfishPipeEmulator start(Path mountDir, Collection<? extends HostService> services,
                                             MemoryMode memory) throws IOException {
        return start(mountDir, services, EmulatorOptions.builder().memory(memory).build());
    }

    /**
     * Mounts the emulator on the existing directory {@code mountDir} with {@code options} and returns once it
     * serves. A dead mount left there by a killed emulator is detached first ({@link #deadMountsDetached()}
     * says so). By default only this user may use the device, and only an empty directory is mounted on
     * ({@link EmulatorOptions#allowOther()}, {@link EmulatorOptions#nonEmpty()}).
     *
     * @param mountDir an existing directory
     * @param services the host services a guest can connect to, by {@linkplain HostService#name() name}
     * @param options  how to serve (see {@link EmulatorOptions})
     * @return the emulator, serving
     * @throws IOException as {@link #start(Path, Collection, MemoryMode)}; also when a request timeout is asked
     *                     for and the kernel does not offer one (before Linux 6.14)
     */
    public static GoldfishPipeEmulator start(Path mountDir, Collection<? extends HostService> services,
                                             EmulatorOptions options) throws IOException {
        FuseServer.Passthrough passthrough = switch (options.memory()) {
            case AUTO -> FuseServer.Passthrough.TRY;
            case PASSTHROUGH -> FuseServer.Passthrough.REQUIRE;
            case PAGE_CACHE -> FuseServer.Passthrough.NEVER;
        };
        FuseServer.Limits limits = new FuseServer.Limits(options.requestTimeoutSeconds(), options.logLinesPerMinute(),
                options.pipeLimits(), options.serviceLimits(),
                new RegionLimits(options.maxPipes(), options.maxRegionBytesPerUser(), options.maxRegionBytes()));
        try {
            return new GoldfishPipeEmulator(FuseServer.start(mountDir, services, passthrough,
                    new MountSettings(options.allowOther(), options.nonEmpty()), limits));
        } catch (FuseUnavailableException e) {
            throw new EmulatorUnavailableException(e.getMessage(), e);
        }
    }

    /**
     * Detaches the dead mounts of killed emulators from {@code dir}, on which every access fails with
     * ENOTCONN: what {@link #start} does first, for a caller that must look at the directory before (e.g. to
     * create it).
     *
     * @param dir a directory, possibly a mount point
     * @return how many were detached; {@link #describeDetached(int, Path)} says it in words
     * @throws IOException when a live mount is on {@code dir}, or a dead one cannot be detached
     */
    public static int detachDeadMounts(Path dir) throws IOException {
        return FuseMount.detachStale(dir);
    }

    /**
     * {@return what detaching {@code count} dead mounts from {@code dir} did, in words for a person}
     *
     * @param count how many were detached
     * @param dir   where from
     */
    public static String describeDetached(int count, Path dir) {
        return FuseMount.describeDetached(count, dir.toAbsolutePath().normalize());
    }

    /** {@return how many dead mounts of killed emulators {@link #start} detached from the directory first} */
    public int deadMountsDetached() {
        return server.deadMountsDetached();
    }

    /**
     * How the regions' memory is shared with the guest's mappings, settled at start.
     *
     * @return {@link MemoryMode#PASSTHROUGH} or {@link MemoryMode#PAGE_CACHE}
     */
    public MemoryMode memoryMode() {
        return server.passthrough() ? MemoryMode.PASSTHROUGH : MemoryMode.PAGE_CACHE;
    }

    /** {@return the directory the emulator is mounted on} */
    public Path mountDir() {
        return server.mountPoint();
    }

    /** {@return the device file, to open as the driver's {@code /dev/goldfish_pipe}} */
    public Path devicePath() {
        return mountDir().resolve(NodeNamespace.DEVICE_FILE_NAME);
    }

    /** {@return the status file: live pipes and regions, one per line, regenerated on each open} */
    public Path statusPath() {
        return mountDir().resolve(NodeNamespace.STATUS_FILE_NAME);
    }

    /**
     * {@return host access to the live DMA regions of this emulator's own user, as the services of that
     * user's pipes have it (other users' regions are not found through it)}
     */
    public RegionMemory memory() {
        return server.memory();
    }

    /**
     * {@return how the directory was mounted: {@code "mount(2) (uid 0)"} with the right to mount,
     * {@code "fusermount3 (uid 1000)"} for an ordinary user, {@code "... in a user namespace"} there}
     */
    public String mountDescription() {
        return server.mountDescription();
    }

    /**
     * {@return how the regions' memory is shared with the guest's mappings, as the status file's
     * {@code memory} line says it: {@code "passthrough"}, or {@code "page-cache"} followed by why passthrough
     * is not used, e.g. {@code "page-cache (passthrough unavailable: ...)"}, unless the page cache was asked
     * for}
     */
    public String memoryDescription() {
        return server.memoryDescription();
    }

    /** {@return the status file's current text (see {@link #statusPath()})} */
    public String status() {
        return server.statusText();
    }

    /**
     * Waits until the emulator stops serving: closed, or unmounted from outside.
     *
     * @throws InterruptedException if this thread is interrupted while it waits
     */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /**
     * Unmounts (detached: the directory is free at once) and stops serving; processes still using the
     * file system then get errors (ENOTCONN, or SIGBUS in a mapping). Idempotent.
     */
    @Override
    public void close() {
        server.close();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Called from a shutdown hook, this one included: nothing is left to remove.
        }
    }
}
