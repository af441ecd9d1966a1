package dev.goldfishdma.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One {@link EmulatedDevice} for all tests of a class:
 * {@code @RegisterExtension static final EmulatedDeviceExtension DEVICE = new EmulatedDeviceExtension();}
 */
public final class EmulatedDeviceExtension implements BeforeAllCallback, AfterAllCallback {
    private EmulatedDevice device;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        device = EmulatedDevice.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (device != null) {
            device.close();
            device = null;
        }
    }

    /** The emulated device file. */
    public Path path() {
        return device.path();
    }

    /** The mount directory of the emulated device. */
    public Path mountDir() {
        return device.mountDir();
    }

    /** The emulator's status file. */
    public String status() throws IOException {
        return device.status();
    }
}
