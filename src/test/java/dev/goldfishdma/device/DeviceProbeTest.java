package dev.goldfishdma.device;

import dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe's steps on the emulated device, on a file that is no goldfish pipe, and on nothing at all. */
class DeviceProbeTest {
    @RegisterExtension
    static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();

    private static final long SIZE = 16 * DriverRules.pageSize();

    @Test
    void theEmulatedDeviceAnswersEveryStepAsTheDriver() throws Exception {
        List<ProbeStep> seen = new ArrayList<>();
        ProbeReport report;
        try (DeviceProbe probe = DeviceProbe.open(DEVICE.path())) {
            report = probe.run("opengles", SIZE, seen::add);
        }
        assertEquals(report.steps(), seen, "every step is handed over as it completes");
        assertTrue(report.failure().isEmpty(), String.valueOf(report.failure()));
        List<ProbeStep.Kind> noTouch = Arrays.stream(ProbeStep.Kind.values())
                .filter(k -> k != ProbeStep.Kind.TOUCH && k != ProbeStep.Kind.GETOFF_AFTER_TOUCH).toList();
        assertEquals(noTouch, report.steps().stream().map(ProbeStep::kind).toList(),
                "every step, in order, but the touch: the region has its address once mapped");
        assertEquals(List.of(), report.differences());
        assertEquals(new RegionInfo(0, 0), report.step(ProbeStep.Kind.GETOFF_BEFORE_REGION).orElseThrow().regionInfo());
        assertEquals(new RegionInfo(0, SIZE), report.step(ProbeStep.Kind.GETOFF_BEFORE_MMAP).orElseThrow().regionInfo());
        ProbeStep again = report.step(ProbeStep.Kind.CREATE_REGION_AGAIN).orElseThrow();
        assertEquals("EBUSY", again.errnoName());
        assertTrue(again.asDriver());
        RegionInfo mapped = report.step(ProbeStep.Kind.GETOFF_AFTER_MMAP).orElseThrow().regionInfo();
        assertTrue(mapped.allocated() && mapped.size() == SIZE, mapped.toString());
        assertEquals("ENOTTY", report.step(ProbeStep.Kind.UNKNOWN_IOCTL).orElseThrow().errnoName());
        assertTrue(report.behavesAsDriver());
    }

    @Test
    void devNullStopsAtTheFirstDmaIoctl() throws Exception {
        try (DeviceProbe probe = DeviceProbe.open(Path.of("/dev/null"))) {
            ProbeReport report = probe.run("opengles", SIZE, step -> { });
            assertInstanceOf(NotAGoldfishPipeException.class, report.failure().orElseThrow());
            ProbeStep getoff = report.steps().getLast();
            assertEquals(ProbeStep.Kind.GETOFF_BEFORE_REGION, getoff.kind());
            assertEquals("ENOTTY", getoff.errnoName());
            assertNull(getoff.regionInfo());
            assertFalse(report.behavesAsDriver());
        }
    }

    @Test
    void anUnknownIoctlOnDevNullIsEnottyWithoutAnException() throws Exception {
        try (DeviceProbe probe = DeviceProbe.open(Path.of("/dev/null"))) {
            ProbeStep step = probe.unknownIoctl();
            assertEquals("ENOTTY", step.errnoName());
            assertTrue(step.detail().contains("_IOWR('G', 63, 16)"), step.detail());
            assertTrue(step.asDriver());
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyStepAndNothingIsNoDevice() throws Exception {
        try (DeviceProbe probe = DeviceProbe.open(Path.of("/dev/null"))) {
            assertThrows(IllegalArgumentException.class, () -> probe.run("", SIZE, step -> { }));
            assertThrows(IllegalArgumentException.class, () -> probe.run("opengles", SIZE + 1, step -> { }));
            ProbeReport report = probe.run("opengles", SIZE, step -> { });
            assertInstanceOf(NotAGoldfishPipeException.class, report.failure().orElseThrow(),
                    "the refused runs left the probe to run");
            assertThrows(IllegalStateException.class, () -> probe.run("opengles", SIZE, step -> { }));
        }
        assertThrows(NoDeviceException.class, () -> DeviceProbe.open(Path.of("/nonexistent/goldfish_pipe")));
    }
}
