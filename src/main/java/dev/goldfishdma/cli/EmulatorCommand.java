package dev.goldfishdma.cli;

import dev.goldfishdma.emulator.EmulatorOptions;
import dev.goldfishdma.emulator.GoldfishPipeEmulator;
import dev.goldfishdma.emulator.MemoryMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Serves the emulated device in this process until interrupted. Safe in-process: this JVM never maps the
 * device itself, so no thread of it can wait on a page fault that its own server must answer.
 */
@Command(name = "emulator", mixinStandardHelpOptions = true,
        description = {"Serve an emulated goldfish pipe device (FUSE) on DIR in the foreground until interrupted "
                + "(Ctrl-C), then unmount. Needs /dev/fuse; as an ordinary user also fusermount3 (the fuse3 package) "
                + "and a DIR of one's own.",
                "Point other tools at the device path it prints, e.g. goldfish-dma probe --device DIR/goldfish_pipe."})
final class EmulatorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "The directory to mount the device on (created if missing).")
    Path dir;

    @Option(names = "--memory", paramLabel = "MODE", converter = MemoryOption.class,
            description = MemoryOption.DESCRIPTION)
    MemoryMode memory = MemoryMode.fromSystemProperty();

    // ---- access and accounting (EmulatorOptions) -------------------------------------------------------------

    @Option(names = "--allow-other", description = "Let every local user use the device (mode 0666; by default only "
            + "this user can reach the mount, root included). Their regions stay their own: the dma service resolves "
            + "only the caller's regions, and the status file stays readable by this user alone. Other users share "
            + "the pipe and region limits. As an ordinary user it needs user_allow_other in /etc/fuse.conf.")
    boolean allowOther;

    @Option(names = "--non-empty", description = "Mount over DIR even when it is not empty, hiding what it holds.")
    boolean nonEmpty;

    @Option(names = "--max-pipes", paramLabel = "N", description = "Pipes open at once, all users together; an "
            + "open past it fails with ENFILE. Default: " + EmulatorOptions.DEFAULT_MAX_PIPES + ".")
    int maxPipes = EmulatorOptions.DEFAULT_MAX_PIPES;

    @Option(names = "--max-region-bytes-per-user", paramLabel = "SIZE", converter = ByteSizes.class,
            description = "Bytes of DMA regions one user may hold; CREATE_REGION past it fails with ENOMEM. "
                    + "Default: 1GiB.")
    long maxRegionBytesPerUser = EmulatorOptions.DEFAULT_MAX_REGION_BYTES_PER_USER;

    @Option(names = "--max-region-bytes", paramLabel = "SIZE", converter = ByteSizes.class,
            description = "Bytes of DMA regions of all users together; CREATE_REGION past it fails with ENOMEM. "
                    + "Default: 2GiB.")
    long maxRegionBytes = EmulatorOptions.DEFAULT_MAX_REGION_BYTES;

    // ---- resource limits and request timeout ----------------------------------------------------------
    @Option(names = "--pipe-buffer", paramLabel = "SIZE", converter = ByteSizes.class,
            description = "Bytes a pipe queues for the guest to read (default: 64KiB). A service takes no more of "
                    + "the guest's bytes than its answers fit in: a guest writing without reading waits (EAGAIN "
                    + "with O_NONBLOCK) once it is full, as with a real pipe.")
    long pipeBuffer = EmulatorOptions.DEFAULT_PIPE_BUFFER_BYTES;

    @Option(names = "--max-dma-queue", paramLabel = "N",
            description = "Commands a pipe's service (dma) may have taken and not answered (default: 16); more "
                    + "wait until answers go out.")
    int maxDmaQueue = EmulatorOptions.DEFAULT_MAX_DMA_QUEUE;

    @Option(names = "--service-threads", paramLabel = "N",
            description = "Threads that do every pipe's service work (default: 4).")
    int serviceThreads = EmulatorOptions.DEFAULT_SERVICE_THREADS;

    @Option(names = "--log-rate", paramLabel = "N",
            description = "Log at most N lines a minute about failed requests and services (default: 60); the "
                    + "next line says how many were dropped.")
    int logRate = EmulatorOptions.DEFAULT_LOG_LINES_PER_MINUTE;

    @Option(names = "--request-timeout", paramLabel = "SECONDS",
            description = "Ask the kernel to abort the whole FUSE connection when any request waits longer than "
                    + "SECONDS (default: 0, never; Linux 6.14+, checked every 15 s). Saves clients from hanging "
                    + "on a stopped emulator, but a blocking read or write that waits that long for the host "
                    + "aborts it too: only for guests that never block long (O_NONBLOCK and poll, as this "
                    + "library's pipes).")
    int requestTimeout = EmulatorOptions.DEFAULT_REQUEST_TIMEOUT_SECONDS;

    /** {@return the emulator's options as given on the command line} */
    EmulatorOptions options() {
        return EmulatorOptions.builder().memory(memory).allowOther(allowOther).nonEmpty(nonEmpty).maxPipes(maxPipes)
                .maxRegionBytesPerUser(maxRegionBytesPerUser).maxRegionBytes(maxRegionBytes)
                .pipeBufferBytes(pipeBuffer)
                .maxDmaQueue(maxDmaQueue)
                .serviceThreads(serviceThreads)
                .logLinesPerMinute(logRate)
                .requestTimeoutSeconds(requestTimeout)
                .build();
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        EmulatorOptions options = options();
        // A dead mount of a killed emulator first: any other look at DIR would fail with ENOTCONN.
        int detached = GoldfishPipeEmulator.detachDeadMounts(dir);
        if (detached > 0) {
            out.println(GoldfishPipeEmulator.describeDetached(detached, dir));
        }
        Files.createDirectories(dir);
        GoldfishPipeEmulator emulator = GoldfishPipeEmulator.start(dir, GoldfishPipeEmulator.defaultServices(),
                options);
        out.println("serving an emulated goldfish pipe device at " + emulator.devicePath().toAbsolutePath());
        out.println("status of its pipes and regions: " + emulator.statusPath().toAbsolutePath());
        out.println("mounted by " + emulator.mountDescription());
        out.println("regions' memory: " + emulator.memoryDescription());
        out.println("stop with Ctrl-C");
        out.flush();
        emulator.awaitTermination();
        return ExitCode.OK.code();
    }
}
