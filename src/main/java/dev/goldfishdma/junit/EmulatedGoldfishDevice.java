package dev.goldfishdma.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated test class against an emulated goldfish pipe device, started once for the class in a
 * child process and removed after its last test: the {@link EmulatedGoldfishDeviceExtension}.
 *
 * <p>Test methods, {@code @BeforeEach} methods and the like receive the device as a parameter of type
 * {@link EmulatedDevice}, or a pipe already connected to a host service as a
 * {@link dev.goldfishdma.device.GoldfishPipe} parameter annotated {@link PipeTo}. On a machine that cannot
 * mount FUSE file systems the whole class is skipped, with the reason in the test report.
 */
// JUnit types in the signatures: users of the extension have JUnit, which the module requires only statically.
@SuppressWarnings("exports")
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(EmulatedGoldfishDeviceExtension.class)
public @interface EmulatedGoldfishDevice {
}
