package dev.goldfishdma.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe's verdict weighs every step it ran. */
class ProbeVerdictTest {
    private static final long SIZE = 65536;

    /** The steps of a device that answers as the driver, allocating at mmap. */
    private static List<ProbeStep> asTheDriver() {
        List<ProbeStep> steps = new ArrayList<>();
        steps.add(new ProbeStep(ProbeStep.Kind.OPEN, "fd 3", 0, null, null, null, true));
        steps.add(new ProbeStep(ProbeStep.Kind.GETOFF_BEFORE_REGION, "", 0, null, new RegionInfo(0, 0), "{0, 0}", true));
        steps.add(new ProbeStep(ProbeStep.Kind.CONNECT, "", 0, null, null, null, true));
        steps.add(new ProbeStep(ProbeStep.Kind.CREATE_REGION, "", 0, null, null, "0", true));
        steps.add(new ProbeStep(ProbeStep.Kind.CREATE_REGION_AGAIN, "", 16, "EBUSY", null, "EBUSY", true));
        steps.add(new ProbeStep(ProbeStep.Kind.GETOFF_BEFORE_MMAP, "", 0, null, new RegionInfo(0, SIZE),
                "{0, 65536}", true));
        steps.add(new ProbeStep(ProbeStep.Kind.MMAP, "", 0, null, null, null, true));
        steps.add(new ProbeStep(ProbeStep.Kind.GETOFF_AFTER_MMAP, "", 0, null, new RegionInfo(0x1000, SIZE),
                "a physical address", true));
        steps.add(new ProbeStep(ProbeStep.Kind.LOCK, "", 0, null, null, "0", true));
        steps.add(new ProbeStep(ProbeStep.Kind.UNLOCK, "", 0, null, null, "0", true));
        steps.add(new ProbeStep(ProbeStep.Kind.UNKNOWN_IOCTL, "", 25, "ENOTTY", null, "ENOTTY", true));
        return steps;
    }

    @Test
    void aDeviceAnsweringAsTheDriverPasses() {
        assertTrue(new ProbeReport(asTheDriver(), null).behavesAsDriver());
    }

    @ParameterizedTest
    @EnumSource(value = ProbeStep.Kind.class, names = {"GETOFF_BEFORE_REGION", "GETOFF_BEFORE_MMAP", "UNKNOWN_IOCTL",
            "CREATE_REGION_AGAIN", "LOCK", "UNLOCK", "GETOFF_AFTER_MMAP"})
    void anyStepAnsweringOtherwiseFailsTheVerdict(ProbeStep.Kind kind) {
        List<ProbeStep> steps = asTheDriver();
        steps.replaceAll(s -> s.kind() == kind ? new ProbeStep(kind, s.detail(), s.errno(), s.errnoName(),
                s.regionInfo(), s.driverAnswer(), false) : s);
        ProbeReport report = new ProbeReport(steps, null);
        assertFalse(report.behavesAsDriver(), kind + " answered otherwise");
        assertTrue(report.differences().stream().anyMatch(s -> s.kind() == kind));
    }

    @Test
    void allocationAtFirstTouchIsTheOneDifferenceAllowed() {
        List<ProbeStep> steps = asTheDriver();
        int afterMmap = 7;
        steps.set(afterMmap, new ProbeStep(ProbeStep.Kind.GETOFF_AFTER_MMAP, "", 0, null, new RegionInfo(0, SIZE),
                "a physical address", false));
        steps.add(afterMmap + 1, new ProbeStep(ProbeStep.Kind.TOUCH, "", 0, null, null, null, true));
        steps.add(afterMmap + 2, new ProbeStep(ProbeStep.Kind.GETOFF_AFTER_TOUCH, "", 0, null,
                new RegionInfo(0x1000, SIZE), "a physical address", true));
        assertTrue(new ProbeReport(steps, null).behavesAsDriver());
    }

    @Test
    void aMissingStepFailsTheVerdict() {
        List<ProbeStep> steps = asTheDriver();
        steps.removeIf(s -> s.kind() == ProbeStep.Kind.UNKNOWN_IOCTL);
        assertFalse(new ProbeReport(steps, null).behavesAsDriver());
    }
}
