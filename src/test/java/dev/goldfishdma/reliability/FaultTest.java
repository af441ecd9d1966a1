package dev.goldfishdma.reliability;

import dev.goldfishdma.device.DeviceException;
import dev.goldfishdma.device.DeviceGoneException;
import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.device.PipeClosedByHostException;
import dev.goldfishdma.device.RegionLock;
import dev.goldfishdma.emulator.EmulatorProcess;
import dev.goldfishdma.emulator.PrefaultAfterDeath;
import dev.goldfishdma.emulator.service.HangUpService;
import dev.goldfishdma.testing.Capabilities;
import dev.goldfishdma.testing.ChildProcessDevice;
import dev.goldfishdma.testing.Reliability;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host going away under the guest: errors in bounded time, no hang, no JVM crash. */
class FaultTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    @Test
    void theHostClosingMidStreamEndsThePipeWithoutAHang() throws Exception {
        try (ChildProcessDevice device = ChildProcessDevice.start();
             GoldfishPipe pipe = GoldfishPipe.open(device.path(), HangUpService.NAME)) {
            byte[] chunk = new byte[4096];
            long echoed = assertTimeoutPreemptively(BOUND, () -> {
                long total = 0;
                try {
                    while (true) {
                        pipe.write(chunk, 0, chunk.length);
                        int n = pipe.read(chunk, 0, chunk.length);
                        if (n < 0) {
                            return -total;
                        }
                        total += n;
                    }
                } catch (PipeClosedByHostException e) {
                    assertEquals("EIO", e.errnoName(), e.getMessage());
                    return total;
                }
            });
            assertTrue(echoed > 0 && echoed <= HangUpService.LIMIT, "echoed " + echoed + " bytes before EIO");
            Reliability.report("host hang-up", "EIO after " + echoed + " echoed bytes");
        }
    }

    @Test
    void killingTheEmulatorFailsABlockedReadAndTheStaleMountIsCleanedOnTheNextStart() throws Exception {
        try (ChildProcessDevice device = ChildProcessDevice.start()) {
            GoldfishPipe pipe = GoldfishPipe.open(device.path(), "echo");
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return pipe.read(new byte[16], 0, 16);
                } catch (java.io.IOException e) {
                    throw new CompletionException(e);
                }
            });
            Thread.sleep(200);
            assertFalse(reader.isDone(), "the read waits for the host");
            long killedAt = System.nanoTime();
            device.process().processHandle().destroyForcibly();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> reader.get(BOUND.toSeconds(), TimeUnit.SECONDS));
            long millis = (System.nanoTime() - killedAt) / 1_000_000;
            // ENOTCONN, or EIO when the kernel failed the read as the server went, before the connection was gone.
            DeviceException failure = assertInstanceOf(DeviceException.class, e.getCause());
            assertTrue(failure instanceof DeviceGoneException || failure instanceof PipeClosedByHostException,
                    failure.toString());
            // The message names the request and the pipe, and never blames a service the host does have.
            assertTrue(failure.getMessage().startsWith("read(") && failure.getMessage().contains("(service echo"),
                    failure.getMessage());
            assertFalse(failure.getMessage().contains("no service named"), failure.getMessage());
            pipe.close();

            // The killed emulator left a dead mount behind: a new one on the same directory detaches it.
            try (EmulatorProcess again = EmulatorProcess.start(device.mountDir());
                 GoldfishPipe fresh = GoldfishPipe.open(again.devicePath(), "echo")) {
                fresh.write(new byte[] {42}, 0, 1);
                byte[] one = new byte[1];
                fresh.readFully(one);
                assertEquals(42, one[0]);
            }
            Reliability.report("emulator killed during a read", failure.errnoName() + " after " + millis + " ms");
        }
    }

    @Test
    void killingTheEmulatorWhileTheGuestWritesItsMappingEndsInAnErrorNotACrash() throws Exception {
        try (ChildProcessDevice device = ChildProcessDevice.start()) {
            GoldfishPipe pipe = GoldfishPipe.open(device.path(), "dma");
            DmaRegion region = pipe.createRegion(32 << 20);
            byte[] chunk = new byte[1 << 20];
            AtomicLong writes = new AtomicLong();
            CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    for (long i = 0; ; i++) {
                        try (RegionLock held = region.lock()) {
                            region.write((i % 32) << 20, chunk, 0, chunk.length);
                        }
                        writes.incrementAndGet();
                    }
                } catch (Throwable t) {
                    return t;
                }
            });
            while (writes.get() < 40) {
                Thread.sleep(5);
            }
            long killedAt = System.nanoTime();
            device.process().processHandle().destroyForcibly();
            Throwable failure = writer.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            long millis = (System.nanoTime() - killedAt) / 1_000_000;
            // A lock's ioctl finds the connection gone (ENOTCONN), or a copy faults on a page the dead server
            // can no longer provide, which the JVM reports as an InternalError: an error, never a crash.
            assertTrue(failure instanceof DeviceGoneException || failure instanceof InternalError,
                    String.valueOf(failure));
            pipe.close();
            assertFalse(region.isOpen());
            Reliability.report("emulator killed during writes", failure.getClass().getSimpleName()
                    + (failure instanceof DeviceException x ? " " + x.errnoName() : "") + " after " + millis + " ms, "
                    + writes.get() + " MiB written before");
        }
    }

    /**
     * The emulator dies between CREATE_REGION and the prefault of the mapping (what PREFAULT does after mmap):
     * madvise(MADV_POPULATE_WRITE) returns. With the page cache the pages can no longer be supplied: EFAULT
     * (MAP_POPULATE would have retried the failing fault forever); with passthrough the region's memory
     * outlives the emulator: 0. In a child JVM, killed if it hangs.
     */
    @Test
    void prefaultingAfterTheEmulatorDiedReturns() throws Exception {
        try (ChildProcessDevice device = ChildProcessDevice.start()) {
            String mode = device.status().lines().filter(line -> line.startsWith("memory ")).findFirst().orElse("");
            List<String> command = Capabilities.javaCommand(PrefaultAfterDeath.class.getName(),
                    device.path().toString(), Long.toString(1 << 20));
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                assertEquals("created", out.readLine());
                device.process().processHandle().destroyForcibly();
                device.process().processHandle().onExit().get(10, TimeUnit.SECONDS);
                child.getOutputStream().write('\n');
                child.getOutputStream().flush();
                assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the prefault did not return within 60 s");
                String result = out.readLine();
                String expected = mode.startsWith("memory passthrough") ? "0" : "EFAULT";
                assertEquals("MADV_POPULATE_WRITE after the emulator died: " + expected, result, mode);
                Reliability.report("prefault after the emulator died (" + mode + ")", result);
            } finally {
                child.destroyForcibly();
            }
        }
    }
}
