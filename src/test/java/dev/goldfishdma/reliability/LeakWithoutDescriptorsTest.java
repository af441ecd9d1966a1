package dev.goldfishdma.reliability;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The safety net holds when reporting fails: a leaked pipe is closed by the Cleaner even when the process has
 * run out of descriptors (so that logging itself fails), or when the logger throws.
 */
class LeakWithoutDescriptorsTest {
    @RegisterExtension
    static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();

    /**
     * Leaks a pipe with a region, uses up every descriptor, lets the Cleaner run, then frees the descriptors
     * and prints how many of the device's are still open. Run with a low {@code RLIMIT_NOFILE}.
     */
    public static final class LeakWhileExhausted {
        public static void main(String[] args) throws Exception {
            Path device = Path.of(args[0]);
            leak(device);
            List<FileInputStream> filler = new ArrayList<>();
            try {
                while (true) {
                    filler.add(new FileInputStream("/dev/null"));
                }
            } catch (IOException e) {
                System.out.println("descriptors exhausted after " + filler.size() + " more: " + e.getMessage());
            }
            for (int i = 0; i < 50; i++) {
                System.gc();
                Thread.sleep(20);
            }
            for (FileInputStream f : filler) {
                f.close();
            }
            System.out.println("device descriptors still open: " + openOn(device));
        }

        private static void leak(Path device) throws IOException {
            GoldfishPipe pipe = GoldfishPipe.open(device, "dma");
            DmaRegion region = pipe.createRegion(4096);
            region.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1);
        }
    }

    static long openOn(Path device) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(device.toString());
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    void aLeakedPipeIsClosedWhenDescriptorsHaveRunOut() throws Exception {
        Path prlimit = Capabilities.onPath("prlimit");
        Capabilities.require(prlimit != null, "prlimit (util-linux) is not installed");
        List<String> command = new ArrayList<>(List.of(prlimit.toString(), "--nofile=64:64"));
        command.addAll(Capabilities.javaCommand(LeakWhileExhausted.class.getName(), DEVICE.path().toString()));
        String output = Capabilities.run(command, 120);
        assertTrue(output.contains("descriptors exhausted after"), output);
        assertTrue(output.contains("device descriptors still open: 0"), output);
    }

    @Test
    void aLeakedPipeIsClosedWhenTheLoggerThrows() throws Exception {
        Logger log = Logger.getLogger(GoldfishPipe.class.getName());
        Handler failing = new Handler() {
            @Override
            public void publish(LogRecord record) {
                throw new IllegalStateException("this logger fails");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(failing);
        try {
            leakPipe();
            for (int i = 0; i < 100 && openOn(DEVICE.path()) > 0; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertTrue(openOn(DEVICE.path()) == 0, "the leaked pipe's descriptor was closed");
        } finally {
            log.removeHandler(failing);
        }
    }

    private static void leakPipe() throws IOException {
        GoldfishPipe.open(DEVICE.path(), "echo").write(new byte[] {1}, 0, 1);
    }
}
