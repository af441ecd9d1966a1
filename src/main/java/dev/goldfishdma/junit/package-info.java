/**
 * A JUnit Jupiter extension for testing code that uses the goldfish pipe device: it runs a test class
 * against an emulated device, served by a child process, and removes the device afterwards.
 *
 * <p>Annotate the class with {@link dev.goldfishdma.junit.EmulatedGoldfishDevice}; tests then take an
 * {@link dev.goldfishdma.junit.EmulatedDevice} parameter (the device file, its directory, the emulator's
 * status) or a {@link dev.goldfishdma.device.GoldfishPipe} parameter annotated
 * {@link dev.goldfishdma.junit.PipeTo}, already connected to a host service and closed after the test. Or hold
 * an {@link dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension} in a static {@code @RegisterExtension}
 * field. On a machine that cannot run the emulated device (Linux older than 6.6, no usable
 * {@code /dev/fuse}, neither the right to mount nor {@code fusermount3}) the class is skipped, with the reason
 * in the report.
 *
 * <p>The test of the README's example program (this project's consumer build runs it, with the library on the
 * module path and on the class path):
 * {@snippet class="example.upload.UploadTest"}
 *
 * <p>JUnit Jupiter is an optional dependency of the library, required by its module only statically: bring
 * your own (the extension is built and tested with JUnit 5.14).
 */
package dev.goldfishdma.junit;
