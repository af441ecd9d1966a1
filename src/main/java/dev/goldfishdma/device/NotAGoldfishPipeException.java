package dev.goldfishdma.device;

/**
 * The device answered a goldfish DMA ioctl with {@code ENOTTY}: it is not a goldfish pipe, or its driver
 * has no DMA. Nothing of the DMA API works on it.
 */
public class NotAGoldfishPipeException extends DeviceException {
    private static final long serialVersionUID = 1L;

    NotAGoldfishPipeException(CallFailure failure, String explanation) {
        super(failure, explanation);
    }
}
