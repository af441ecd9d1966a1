package dev.goldfishdma.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks the {@link EmulatedGoldfishDeviceExtension} for a {@link dev.goldfishdma.device.GoldfishPipe}
 * parameter opened on the emulated device and connected to the named host service. The extension closes
 * the pipe after the test method; a pipe given to a constructor or a {@code @BeforeAll} method is closed
 * after the test class.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PipeTo {
    /**
     * The host service to connect to: one of the emulated device's, {@code echo} (answers what it is
     * sent), {@code dma} (reads and writes regions by physical address, see
     * {@link dev.goldfishdma.service.DmaServiceProtocol}) or {@code opengles} (accepts and discards).
     *
     * @return the service name
     */
    String value();
}
