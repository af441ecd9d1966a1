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
    /**
     * A report of {@code steps}, which it copies.
     *
     * @throws NullPointerException if {@code steps} is null
     */
    public ProbeReport {
        steps = List.copyOf(steps);
    }

    /** {@return the failure that stopped the probe before its last step, if any} */
    public Optional<DeviceException> failure() {
        return Optional.ofNullable(stoppedBy);
    }

    /**
     * {@return the step of {@code kind}, if it ran}
     *
     * @param kind which step
     */
    public Optional<ProbeStep> step(ProbeStep.Kind kind) {
        return steps.stream().filter(s -> s.kind() == kind).findFirst();
    }

    /**
     * Whether the device behaves as the goldfish pipe driver with DMA: every step ran and every step answered
     * as the driver does (GETOFF before a region and before mmap, CREATE_REGION and its refusal the second
     * time, the physical address and size at the end, LOCK, UNLOCK, and {@code ENOTTY} for an unknown
     * request). One difference is allowed: memory allocated at the first touch of the mapping rather than at
     * mmap, when GETOFF after that touch reports it.
     *
     * @return whether the device behaves as the driver does in every step
     */
    public boolean behavesAsDriver() {
        if (stoppedBy != null) {
            return false;
        }
        boolean allocatedAtTouch = step(ProbeStep.Kind.GETOFF_AFTER_TOUCH).map(ProbeStep::asDriver).orElse(false);
        for (ProbeStep.Kind kind : ProbeStep.Kind.values()) {
            if (kind == ProbeStep.Kind.TOUCH || kind == ProbeStep.Kind.GETOFF_AFTER_TOUCH) {
                continue;   // run only when needed; judged through allocatedAtTouch
            }
            if (kind == ProbeStep.Kind.GETOFF_AFTER_MMAP && allocatedAtTouch) {
                continue;
            }
            if (!step(kind).map(ProbeStep::asDriver).orElse(false)) {
                return false;
            }
        }
        return true;
    }

    /** {@return the steps that did not answer as the driver does, in order} */
    public List<ProbeStep> differences() {
        return steps.stream().filter(s -> !s.asDriver()).toList();
    }
}
