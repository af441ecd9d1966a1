package dev.goldfishdma.device;

/**
 * The device went away under an open pipe: {@code ENOTCONN} or {@code ECONNABORTED} (what serves the device
 * file ended, as when an emulated device's process stops), or {@code ENODEV} on a read, write or ioctl (the
 * device was removed). Nothing more works on the pipe or its region; close them and open anew once a device
 * is back.
 */
public class DeviceGoneException extends DeviceException {
    private static final long serialVersionUID = 1L;

    DeviceGoneException(CallFailure failure, String explanation) {
        super(failure, explanation);
    }
}
