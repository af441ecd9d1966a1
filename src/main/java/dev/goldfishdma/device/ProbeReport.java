package dev.goldfishdma.device;

import java.util.List;
import java.util.Optional;

/**
 * What a {@link DeviceProbe} found: every step it ran, in order, and the failure that stopped it early, if
 * one did.
 *
 * @param steps     the steps run
 * @param stoppedBy the failure of a step that left nothing to go on (e.g. CREATE_REGION refused), or null if
 *                  every step ran
 */
public record ProbeReport(List<ProbeStep> steps, DeviceException stoppedBy) {
    /** @throws NullPointerException if {@code steps} is null */
    public ProbeReport {
        steps = List.copyOf(steps);
    }

    /** The failure that stopped the probe before its last step, if any. */
    public Optional<DeviceException> failure() {
        return Optional.ofNullable(stoppedBy);
    }

    /** The step of {@code kind}, if it ran. */
    public Optional<ProbeStep> step(ProbeStep.Kind kind) {
        return steps.stream().filter(s -> s.kind() == kind).findFirst();
    }

    /**
     * Whether the device behaves as the goldfish pipe driver with DMA: every step ran, the region the device
     * reports at the end has a physical address and the size asked, a second CREATE_REGION was refused with
     * {@code EBUSY}, and LOCK and UNLOCK succeeded.
     */
    public boolean behavesAsDriver() {
        if (stoppedBy != null) {
            return false;
        }
        ProbeStep lastGetoff = step(ProbeStep.Kind.GETOFF_AFTER_TOUCH)
                .orElseGet(() -> step(ProbeStep.Kind.GETOFF_AFTER_MMAP).orElse(null));
        return lastGetoff != null && lastGetoff.asDriver()
                && step(ProbeStep.Kind.CREATE_REGION_AGAIN).map(ProbeStep::asDriver).orElse(false)
                && step(ProbeStep.Kind.LOCK).map(ProbeStep::asDriver).orElse(false)
                && step(ProbeStep.Kind.UNLOCK).map(ProbeStep::asDriver).orElse(false);
    }
}
