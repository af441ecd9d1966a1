package dev.goldfishdma.device;

/**
 * {@code CREATE_REGION} answered {@code EBUSY}: the pipe already has a region. The driver allows one region
 * per open pipe; more regions need more pipes (a {@link RegionManager} keeps one pipe per region).
 */
public class RegionAlreadyExistsException extends DeviceException {
    private static final long serialVersionUID = 1L;

    RegionAlreadyExistsException(CallFailure failure, String explanation) {
        super(failure, explanation);
    }
}
