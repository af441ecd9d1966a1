package dev.goldfishdma.junit;

import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.emulator.fuse.FuseMount;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The JUnit extension, run as users run it: the sample classes below are executed by a JUnit launcher of
 * their own (Surefire skips nested classes), and what they saw is checked after their run, when the
 * extension must have removed the device.
 */
class EmulatedGoldfishDeviceExtensionTest {
    /** What the sample classes saw, in the order they saw it. */
    private static final List<Object> SEEN = new CopyOnWriteArrayList<>();

    @Test
    void aTestClassGetsOneDeviceWithPipesAndItIsGoneAfterwards() throws Exception {
        Capabilities.requireFuseMount();
        SEEN.clear();
        TestExecutionSummary summary = run(UsesTheDevice.class);

        assertEquals(3, summary.getTestsSucceededCount(), () -> failures(summary));
        List<EmulatedDevice> devices = seen(EmulatedDevice.class);
        assertEquals(2, devices.size(), SEEN::toString);
        EmulatedDevice device = devices.get(0);
        assertEquals(device, devices.get(1), "the nested class shares the class's device");
        GoldfishPipe pipe = seen(GoldfishPipe.class).get(0);
        assertFalse(pipe.isOpen(), "the pipe handed to the test was closed after it");
        assertFalse(FuseMount.isMountPoint(device.mountDir()), "unmounted: " + device.mountDir());
        assertFalse(Files.exists(device.mountDir()), "mount directory removed: " + device.mountDir());
        assertFalse(Files.exists(device.mountDir().getParent()), "work directory removed");
    }

    @Test
    void registeredAsAFieldItGivesThePath() throws Exception {
        Capabilities.requireFuseMount();
        SEEN.clear();
        TestExecutionSummary summary = run(RegistersTheExtension.class);

        assertEquals(1, summary.getTestsSucceededCount(), () -> failures(summary));
        Path device = (Path) SEEN.get(0);
        assertFalse(Files.exists(device.getParent()), "the device's directory was removed after the class");
        assertThrows(IllegalStateException.class, RegistersTheExtension.DEVICE::path,
                "outside the class's run there is no device");
    }

    @Test
    void whereTheDeviceCannotRunTheClassIsSkippedWithTheReason() {
        Optional<String> unmet = Optional.of("/dev/fuse is missing or not readable and writable");
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> EmulatedGoldfishDeviceExtension.skipOrFail(unmet, false));
        assertTrue(skipped.getMessage().contains("/dev/fuse is missing"), skipped.getMessage());

        AssertionFailedError failed = assertThrows(AssertionFailedError.class,
                () -> EmulatedGoldfishDeviceExtension.skipOrFail(unmet, true));
        assertTrue(failed.getMessage().contains("/dev/fuse is missing")
                && failed.getMessage().contains(EmulatedGoldfishDeviceExtension.REQUIRE_PARAMETER), failed.getMessage());

        EmulatedGoldfishDeviceExtension.skipOrFail(Optional.empty(), true);
    }

    private static <T> List<T> seen(Class<T> type) {
        return SEEN.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static TestExecutionSummary run(Class<?> testClass) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(testClass)).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        return listener.getSummary();
    }

    private static String failures(TestExecutionSummary summary) {
        StringWriter out = new StringWriter();
        summary.printFailuresTo(new PrintWriter(out), 20);
        return summary.getTestsFoundCount() + " found, " + summary.getTestsSkippedCount() + " skipped, "
                + summary.getTestsAbortedCount() + " aborted\n" + out;
    }

    @EmulatedGoldfishDevice
    static class UsesTheDevice {
        @Test
        void getsTheDevice(EmulatedDevice device) throws IOException {
            SEEN.add(device);
            assertTrue(Files.exists(device.path()), device.path().toString());
            assertTrue(device.status().startsWith("pipes 0"), device.status());
        }

        @Test
        void getsAPipeToTheService(@PipeTo("echo") GoldfishPipe pipe, EmulatedDevice device) throws IOException {
            assertNotNull(device);
            byte[] sent = "ping".getBytes(StandardCharsets.UTF_8);
            pipe.write(sent, 0, sent.length);
            byte[] answer = new byte[sent.length];
            pipe.readFully(answer);
            assertArrayEquals(sent, answer);
            assertTrue(device.status().contains("pipes 1"), device.status());
            SEEN.add(pipe);
        }

        @Nested
        class Inner {
            @Test
            void sharesTheDevice(EmulatedDevice device) {
                SEEN.add(device);
            }
        }
    }

    static class RegistersTheExtension {
        @RegisterExtension
        static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();

        @Test
        void usesThePath() {
            SEEN.add(DEVICE.path());
            assertTrue(Files.exists(DEVICE.path()), DEVICE.path().toString());
        }
    }
}
