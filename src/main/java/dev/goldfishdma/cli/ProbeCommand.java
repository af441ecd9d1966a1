package dev.goldfishdma.cli;

import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.emulator.EmulatorStatus;
import dev.goldfishdma.gen.dma.GoldfishDma;
import dev.goldfishdma.gen.dma.goldfish_dma_ioctl_info;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.IoctlRequest;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.emulator.fuse.MemoryMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Finds the device and walks it through the driver's steps one syscall at a time, reporting what the driver
 * did at each. It uses the libc layer directly, not the device API, because the API never leaves a region
 * created but unmapped, and that state is one of the things to observe.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Find the goldfish pipe device, create and map a small DMA region, and report what the "
                + "driver does at each step.",
                "Exit codes: 0 a goldfish pipe with DMA; 3 no device; 4 not a goldfish pipe with DMA; 1 other failure."})
final class ProbeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--device", paramLabel = "PATH",
            description = "The device to probe. Default: the first of /dev/goldfish_pipe, /dev/goldfish_pipe_dprctd, "
                    + "/dev/qemu_pipe that exists, else an emulated device started for the run.")
    Path device;

    @Option(names = "--memory", paramLabel = "MODE", converter = MemoryOption.class,
            description = "For an emulated device started for the run: " + MemoryOption.DESCRIPTION)
    MemoryMode memory = MemoryMode.fromSystemProperty();

    @Option(names = "--service", defaultValue = "opengles", paramLabel = "NAME",
            description = "The host service to connect to (default: ${DEFAULT-VALUE}).")
    String service;

    @Option(names = "--size", defaultValue = "65536", paramLabel = "BYTES",
            description = "The region size to create (default: ${DEFAULT-VALUE}).")
    long size;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DriverRules.checkRegionSize(size);
        try (DeviceChoice choice = DeviceChoice.resolve(device, memory, out)) {
            Path path = choice.path();
            if (!Files.exists(path)) {
                err.println("probe: " + path + " does not exist");
                return ExitCodes.NO_DEVICE;
            }
            return probe(path, choice.emulated() ? "emulated" : device != null ? "given" : "found", out, err);
        } catch (dev.goldfishdma.device.NoDeviceException e) {
            err.println("probe: " + e.getMessage());
            return ExitCodes.NO_DEVICE;
        }
    }

    private int probe(Path path, String how, PrintWriter out, PrintWriter err) throws Exception {
        out.println("device    " + path + " (" + how + ")");
        out.println("memory    " + memory(path));
        int fd;
        try {
            fd = Libc.open(path.toString(), OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        } catch (ErrnoException e) {
            err.println("probe: cannot open the device: " + e.getMessage());
            return e.errno() == Errno.ENOENT ? ExitCodes.NO_DEVICE : ExitCodes.FAILURE;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = goldfish_dma_ioctl_info.allocate(arena);
            out.println("open      O_RDWR: fd " + fd);

            int r = getoff(fd, info);
            if (r == -Errno.ENOTTY) {
                err.println("probe: " + path + " is not a goldfish pipe with DMA: GOLDFISH_DMA_IOC_GETOFF answered "
                        + "ENOTTY (" + Errno.ENOTTY + "): " + Errno.describe(Errno.ENOTTY));
                return ExitCodes.NOT_A_GOLDFISH_PIPE;
            }
            check(r, "GETOFF");
            out.println("GETOFF    before any region: " + describe(info) + expect(info, 0, 0));

            byte[] connect = DriverRules.connectString(service);
            MemorySegment connectBytes = arena.allocate(connect.length);
            MemorySegment.copy(connect, 0, connectBytes, JAVA_BYTE, 0, connect.length);
            Libc.writeFully(fd, connectBytes);
            out.println("connect   wrote \"pipe:" + service + "\\0\"");

            goldfish_dma_ioctl_info.size(info, size);
            check(Libc.ioctlOrErrno(fd, GoldfishDma.GOLDFISH_DMA_IOC_CREATE_REGION(), info), "CREATE_REGION");
            out.println("CREATE    region of " + size + " bytes: ok");
            int again = Libc.ioctlOrErrno(fd, GoldfishDma.GOLDFISH_DMA_IOC_CREATE_REGION(), info);
            out.println("CREATE    a second time: " + result(again) + (again == -Errno.EBUSY ? " (as the driver)"
                    : " (the driver answers EBUSY)"));

            check(getoff(fd, info), "GETOFF");
            boolean early = goldfish_dma_ioctl_info.phys_begin(info) != 0;
            out.println("GETOFF    created, not mapped: " + describe(info) + (early
                    ? " (allocated at CREATE_REGION: the emulated device; the driver answers {0, " + size + "})"
                    : expect(info, 0, size)));

            MemorySegment mapping = Libc.mmap(size, MmapFlags.PROT_READ | MmapFlags.PROT_WRITE, MmapFlags.MAP_SHARED,
                    fd, 0).reinterpret(size);
            try {
                check(getoff(fd, info), "GETOFF");
                long phys = goldfish_dma_ioctl_info.phys_begin(info);
                out.println("GETOFF    mapped: " + describe(info) + (phys != 0 ? " (allocated at mmap, as the driver)"
                        : " (not allocated yet)"));
                if (phys == 0) {
                    mapping.set(JAVA_BYTE, 0, (byte) 1);
                    check(getoff(fd, info), "GETOFF");
                    out.println("GETOFF    after the first write: " + describe(info)
                            + " (allocated at first touch: the emulated device)");
                }
                long lock = Libc.ioctlOrErrno(fd, GoldfishDma.GOLDFISH_DMA_IOC_LOCK(), info);
                long unlock = Libc.ioctlOrErrno(fd, GoldfishDma.GOLDFISH_DMA_IOC_UNLOCK(), info);
                out.println("LOCK      " + result((int) lock) + ", UNLOCK " + result((int) unlock));
                long unknown = IoctlRequest.iowr('G', 0x3f, goldfish_dma_ioctl_info.sizeof());
                out.println("ioctl     unknown request " + IoctlRequest.describe(unknown) + ": "
                        + result(Libc.ioctlOrErrno(fd, unknown, info)));
                boolean ok = goldfish_dma_ioctl_info.phys_begin(info) != 0 && goldfish_dma_ioctl_info.size(info) == size
                        && again == -Errno.EBUSY && lock == 0 && unlock == 0;
                out.println("verdict   " + (ok ? "a goldfish pipe with DMA, behaving as the driver"
                        : "a goldfish pipe, but not every step behaved as the driver (see above)"));
                return ok ? ExitCodes.OK : ExitCodes.FAILURE;
            } finally {
                Libc.munmap(mapping, size);
            }
        } finally {
            Libc.close(fd);
        }
    }

    /**
     * How the device's DMA memory is shared: an emulated device's status file says; the real device's is
     * the driver's coherent memory.
     */
    static String memory(Path device) {
        return EmulatorStatus.besideDevice(device).map(status -> {
            try {
                return EmulatorStatus.memoryDescription(status) + " (the emulated device's memory model)";
            } catch (java.io.IOException e) {
                return "unknown (" + e.getMessage() + ")";
            }
        }).orElse("the driver's (coherent DMA memory)");
    }

    private static int getoff(int fd, MemorySegment info) {
        goldfish_dma_ioctl_info.phys_begin(info, -1);
        goldfish_dma_ioctl_info.size(info, -1);
        return Libc.ioctlOrErrno(fd, GoldfishDma.GOLDFISH_DMA_IOC_GETOFF(), info);
    }

    private static void check(int result, String name) throws ErrnoException {
        if (result < 0) {
            throw new ErrnoException("ioctl", "request=GOLDFISH_DMA_IOC_" + name, -result);
        }
    }

    private static String result(int r) {
        return r >= 0 ? String.valueOf(r) : Errno.name(-r) + " (" + -r + ")";
    }

    private static String describe(MemorySegment info) {
        return "{phys_begin=0x" + Long.toHexString(goldfish_dma_ioctl_info.phys_begin(info)) + ", size="
                + goldfish_dma_ioctl_info.size(info) + "}";
    }

    private static String expect(MemorySegment info, long phys, long size) {
        boolean same = goldfish_dma_ioctl_info.phys_begin(info) == phys && goldfish_dma_ioctl_info.size(info) == size;
        return same ? " (as the driver)" : " (the driver answers {" + phys + ", " + size + "})";
    }
}
