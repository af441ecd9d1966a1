package dev.goldfishdma.device;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Walks a device through the driver's steps one system call at a time and reports what it answered at each
 * ({@link ProbeStep}), for telling whether a device file is a goldfish pipe with DMA and whether it behaves
 * as the driver does. Unlike {@link GoldfishPipe}, it can stop between the driver's steps (a region created
 * but not mapped) and issue requests the driver refuses, because those states and answers are what it
 * observes.
 *
 * {@snippet :
 * try (DeviceProbe probe = DeviceProbe.open(device)) {
 *     ProbeReport report = probe.run("opengles", 65536, step -> System.out.println(step));
 *     boolean goldfish = report.behavesAsDriver();
 * }
 * }
 *
 * <p>It never maps before CREATE_REGION has succeeded, nor more than the region: the driver would map
 * garbage or dereference NULL. Not thread-safe; one probe per device and thread.
 */
public final class DeviceProbe implements AutoCloseable {
    private final Path device;
    private final PipeHandle pipe;
    private final MemorySegment argument;
    private final String unknownRequest;
    private final List<ProbeStep> steps = new ArrayList<>();
    private Consumer<ProbeStep> listener = step -> { };
    private long regionSize;
    private MemorySegment mapping;

    private DeviceProbe(Path device, int fd) {
        this.device = device;
        this.pipe = new PipeHandle(fd, device, "goldfish pipe probe of " + device + " (fd " + fd + ")");
        this.argument = pipe.allocate(DmaIoctl.ARGUMENT_SIZE);
        this.unknownRequest = "request " + DeviceCalls.describeRequest(DeviceCalls.unknownRequest());
        steps.add(new ProbeStep(ProbeStep.Kind.OPEN, "fd " + fd, 0, null, null, null, true));
    }

    /**
     * Opens {@code device} read-write (blocking, as the driver's first users did): the probe's first step.
     *
     * @param device the device file
     * @return the probe, its first step done
     * @throws NoDeviceException if there is no device at {@code device}
     * @throws DeviceException   if it cannot be opened for another reason, e.g. {@code EACCES}
     */
    public static DeviceProbe open(Path device) throws IOException {
        Objects.requireNonNull(device, "device");
        return new DeviceProbe(device, DeviceCalls.open(device, false));
    }

    /** {@return the device probed} */
    public Path device() {
        return device;
    }

    /**
     * Runs every step after the open, in the order of {@link ProbeStep.Kind}, and hands each to
     * {@code eachStep} as it completes (the open first). Stops early when a step leaves nothing to go on: a
     * GETOFF, the connection, CREATE_REGION or mmap failing. Run it once per probe.
     *
     * @param service    the host service to connect to
     * @param regionSize the size of the region to create; the driver's rule applies
     * @param eachStep told of each step as it completes
     * @return every step run, and what stopped the probe early if anything did
     * @throws IllegalArgumentException if {@code service} or {@code regionSize} breaks the driver's rules
     *                                  (checked before any step)
     * @throws IllegalStateException    if the probe already ran or is closed
     */
    public ProbeReport run(String service, long regionSize, Consumer<ProbeStep> eachStep) {
        byte[] connect = DriverRules.connectString(service);
        DriverRules.checkRegionSize(regionSize);
        Objects.requireNonNull(eachStep, "eachStep");
        if (steps.size() != 1 || pipe.isClosed()) {
            throw new IllegalStateException("a probe runs once, before it is closed");
        }
        listener = eachStep;
        listener.accept(steps.getFirst());
        try {
            getoff(ProbeStep.Kind.GETOFF_BEFORE_REGION, new RegionInfo(0, 0));
            connect(connect, service);
            createRegion(regionSize);
            createRegionAgain();
            getoff(ProbeStep.Kind.GETOFF_BEFORE_MMAP, new RegionInfo(0, regionSize));
            map();
            if (!getoff(ProbeStep.Kind.GETOFF_AFTER_MMAP, null).allocated()) {
                touch();
                getoff(ProbeStep.Kind.GETOFF_AFTER_TOUCH, null);
            }
            record(lockStep(ProbeStep.Kind.LOCK, DmaIoctl.LOCK));
            record(lockStep(ProbeStep.Kind.UNLOCK, DmaIoctl.UNLOCK));
            record(unknownIoctl());
            return new ProbeReport(steps, null);
        } catch (DeviceException e) {
            return new ProbeReport(steps, e);
        }
    }

    private RegionInfo getoff(ProbeStep.Kind kind, RegionInfo expected) throws DeviceException {
        DmaIoctl.fill(argument, -1);
        int r = DeviceCalls.ioctlOrErrno(pipe, DmaIoctl.GETOFF, argument);
        if (r < 0) {
            record(failed(kind, "", -r, expected == null ? null : describe(expected)));
            throw DeviceCalls.ioctlFailure(pipe, DmaIoctl.GETOFF, -r);
        }
        RegionInfo info = DmaIoctl.regionInfo(argument);
        if (expected != null) {
            record(new ProbeStep(kind, "", 0, null, info, describe(expected), info.equals(expected)));
        } else {
            record(new ProbeStep(kind, "", 0, null, info, "a physical address, size " + regionSize,
                    info.allocated() && info.size() == regionSize));
        }
        return info;
    }

    private void connect(byte[] connect, String service) throws DeviceException {
        String shown = "\"" + DriverRules.CONNECT_PREFIX + service + "\\0\"";
        MemorySegment bytes = pipe.allocate(connect.length);
        MemorySegment.copy(connect, 0, bytes, JAVA_BYTE, 0, connect.length);
        try {
            DeviceCalls.writeFully(pipe, bytes);
        } catch (DeviceException e) {
            record(failed(ProbeStep.Kind.CONNECT, shown, e.errno(), null));
            throw e;
        }
        record(new ProbeStep(ProbeStep.Kind.CONNECT, shown, 0, null, null, null, true));
    }

    private void createRegion(long size) throws DeviceException {
        String detail = size + " bytes";
        DmaIoctl.fill(argument, 0);
        DmaIoctl.setSize(argument, size);
        int r = DeviceCalls.ioctlOrErrno(pipe, DmaIoctl.CREATE_REGION, argument);
        if (r < 0) {
            record(failed(ProbeStep.Kind.CREATE_REGION, detail, -r, "0"));
            throw DeviceCalls.ioctlFailure(pipe, DmaIoctl.CREATE_REGION, -r);
        }
        regionSize = size;
        record(new ProbeStep(ProbeStep.Kind.CREATE_REGION, detail, 0, null, null, "0", true));
    }

    private void createRegionAgain() {
        DmaIoctl.fill(argument, 0);
        DmaIoctl.setSize(argument, regionSize);
        int r = DeviceCalls.ioctlOrErrno(pipe, DmaIoctl.CREATE_REGION, argument);
        String busy = DeviceCalls.errnoName(DeviceCalls.EBUSY);
        record(r < 0 ? failed(ProbeStep.Kind.CREATE_REGION_AGAIN, "", -r, busy, -r == DeviceCalls.EBUSY)
                : new ProbeStep(ProbeStep.Kind.CREATE_REGION_AGAIN, "", 0, null, null, busy, false));
    }

    private void map() throws DeviceException {
        String detail = regionSize + " bytes, shared, read-write";
        try {
            mapping = DeviceCalls.map(pipe, regionSize, false).reinterpret(regionSize);
        } catch (DeviceException e) {
            record(failed(ProbeStep.Kind.MMAP, detail, e.errno(), null));
            throw e;
        }
        record(new ProbeStep(ProbeStep.Kind.MMAP, detail, 0, null, null, null, true));
    }

    private void touch() {
        mapping.set(JAVA_BYTE, 0, (byte) 1);
        record(new ProbeStep(ProbeStep.Kind.TOUCH, "one byte written at offset 0", 0, null, null, null, true));
    }

    private ProbeStep lockStep(ProbeStep.Kind kind, DmaIoctl ioctl) {
        int r = DeviceCalls.ioctlOrErrno(pipe, ioctl, argument);
        return r < 0 ? failed(kind, "", -r, "0") : new ProbeStep(kind, "", 0, null, null, "0", true);
    }

    /**
     * Issues an ioctl request of the goldfish type that the driver does not know, which it answers with
     * {@code ENOTTY}; no exception for that answer. On a file that is no device at all (e.g.
     * {@code /dev/null}) the kernel answers by itself, which makes it the cost of a bare ioctl.
     *
     * @return the step, with the device's answer
     */
    public ProbeStep unknownIoctl() {
        if (pipe.isClosed()) {
            throw new IllegalStateException("the probe is closed");
        }
        int r = DeviceCalls.ioctlOrErrno(pipe, DeviceCalls.unknownRequest(), argument);
        String enotty = DeviceCalls.errnoName(DeviceCalls.ENOTTY);
        return r < 0 ? failed(ProbeStep.Kind.UNKNOWN_IOCTL, unknownRequest, -r, enotty, -r == DeviceCalls.ENOTTY)
                : new ProbeStep(ProbeStep.Kind.UNKNOWN_IOCTL, unknownRequest, 0, null, null, enotty, false);
    }

    private static ProbeStep failed(ProbeStep.Kind kind, String detail, int errno, String driverAnswer) {
        return failed(kind, detail, errno, driverAnswer, false);
    }

    private static ProbeStep failed(ProbeStep.Kind kind, String detail, int errno, String driverAnswer,
                                    boolean asDriver) {
        return new ProbeStep(kind, detail, errno, DeviceCalls.errnoName(errno), null, driverAnswer, asDriver);
    }

    private void record(ProbeStep step) {
        steps.add(step);
        listener.accept(step);
    }

    private static String describe(RegionInfo info) {
        return "{" + info.physicalAddress() + ", " + info.size() + "}";
    }

    /** Unmaps the region, if mapped, and closes the device. Idempotent. */
    @Override
    public void close() {
        if (pipe.isClosed()) {
            return;
        }
        MemorySegment mapped = mapping;
        mapping = null;
        try {
            if (mapped != null) {
                DeviceCalls.unmap(mapped, regionSize, pipe.description);
            }
        } catch (DeviceException e) {
            System.getLogger(DeviceProbe.class.getName()).log(System.Logger.Level.WARNING, e.getMessage());
        } finally {
            pipe.markClosed();
        }
    }

    @Override
    public String toString() {
        return "DeviceProbe[" + device + (pipe.isClosed() ? ", closed" : "") + "]";
    }
}
