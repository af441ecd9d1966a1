package dev.goldfishdma.junit;

import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.emulator.EmulatorProcess;
import dev.goldfishdma.emulator.WorkDirectory;
import dev.goldfishdma.emulator.EmulatorRequirements;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A JUnit Jupiter extension that starts an emulated goldfish pipe device for a test class and removes it
 * afterwards. The server runs in a child JVM ({@link EmulatorProcess}), never in the JVM of the tests, which
 * may therefore map and write the device's regions.
 *
 * <p>Register it with {@link EmulatedGoldfishDevice} on the class, or as a static field when the tests
 * want the device outside parameters:
 * {@snippet :
 * @RegisterExtension
 * static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();
 * }
 * The device starts before the first test of the class (and serves its {@code @Nested} classes too), on a
 * fresh temporary directory ({@link WorkDirectory}: one a killed run left behind is removed then), and is
 * stopped and unmounted, and the directory deleted, after the last.
 * Parameters it resolves: {@link EmulatedDevice}, and {@link GoldfishPipe} annotated {@link PipeTo}.
 *
 * <p>When the machine cannot run the emulated device ({@link EmulatorRequirements#unmet()}: Linux older
 * than 6.6, no usable {@code /dev/fuse}, neither the right to mount nor {@code fusermount3}) the class is
 * skipped with that reason. Where a
 * skip must not pass unnoticed, as on a CI machine set up for the device, the configuration parameter (or
 * system property) {@value #REQUIRE_PARAMETER}{@code =true} makes it a failure instead.
 */
// JUnit types in the signatures: users of the extension have JUnit, which the module requires only statically.
@SuppressWarnings("exports")
public final class EmulatedGoldfishDeviceExtension
        implements BeforeAllCallback, AfterAllCallback, AfterEachCallback, ParameterResolver {
    /** The configuration parameter that turns a skip for lack of FUSE into a failure when {@code true}. */
    public static final String REQUIRE_PARAMETER = "goldfish.requireCapabilities";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmulatedGoldfishDeviceExtension.class);
    private static final String DEVICE_KEY = "device";
    private static final String PIPES_KEY = "pipes ";

    private volatile RunningDevice current;

    /** Creates the extension; JUnit does so for {@link EmulatedGoldfishDevice}. */
    public EmulatedGoldfishDeviceExtension() {
    }

    /**
     * The device of the test class now running, for tests that registered this extension as a field.
     *
     * @return the emulated device
     * @throws IllegalStateException outside the test class's lifetime (before its first test, after its last)
     */
    public EmulatedDevice device() {
        RunningDevice running = current;
        if (running == null) {
            throw new IllegalStateException("no emulated device is running: it lives from before the first test "
                    + "of the class to after the last");
        }
        return running.device;
    }

    /**
     * The device file of the test class now running: shorthand for {@code device().path()}.
     *
     * @return the path of the emulated device file
     * @throws IllegalStateException outside the test class's lifetime
     */
    public Path path() {
        return device().path();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        if (store.get(DEVICE_KEY, RunningDevice.class) != null) {
            return; // a @Nested class: the enclosing class's device serves it
        }
        skipOrFail(EmulatorRequirements.unmet(),
                context.getConfigurationParameter(REQUIRE_PARAMETER).map(Boolean::parseBoolean).orElse(false));
        RunningDevice running = RunningDevice.start();
        store.put(DEVICE_KEY, running);
        current = running;
    }

    /** Skips the class, or fails it when {@code required}, if a requirement of the device is unmet. */
    static void skipOrFail(Optional<String> unmet, boolean required) {
        if (unmet.isEmpty()) {
            return;
        }
        String reason = "no emulated goldfish device on this machine: " + unmet.get();
        if (required) {
            Assertions.fail(reason + " (" + REQUIRE_PARAMETER + "=true)");
        }
        Assumptions.abort(reason);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        closePipes(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            closePipes(context);
        } finally {
            RunningDevice running = context.getStore(NAMESPACE).remove(DEVICE_KEY, RunningDevice.class);
            if (running != null) {
                if (current == running) {
                    current = null;
                }
                running.close();
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == EmulatedDevice.class
                || type == GoldfishPipe.class && parameterContext.isAnnotated(PipeTo.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        RunningDevice running = extensionContext.getStore(NAMESPACE).get(DEVICE_KEY, RunningDevice.class);
        if (running == null) {
            throw new ParameterResolutionException("no emulated goldfish device for " + parameterContext
                    + ": register the extension on the test class (@EmulatedGoldfishDevice or a static "
                    + "@RegisterExtension field), not on a method or an instance field");
        }
        if (parameterContext.getParameter().getType() == EmulatedDevice.class) {
            return running.device;
        }
        String service = parameterContext.findAnnotation(PipeTo.class).orElseThrow().value();
        try {
            GoldfishPipe pipe = GoldfishPipe.open(running.device.path(), service);
            openPipes(extensionContext).add(pipe);
            return pipe;
        } catch (IOException e) {
            throw new ParameterResolutionException("cannot open a pipe to the service \"" + service + "\" on "
                    + running.device.path() + ": " + e.getMessage(), e);
        }
    }

    /** The pipes opened for parameters in exactly this context (not an enclosing one), closed when it ends. */
    @SuppressWarnings("unchecked")
    private static List<GoldfishPipe> openPipes(ExtensionContext context) {
        // The key names the context: the store's look-up would otherwise find an enclosing context's list.
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(PIPES_KEY + context.getUniqueId(),
                key -> new ArrayList<GoldfishPipe>(), List.class);
    }

    private static void closePipes(ExtensionContext context) throws IOException {
        @SuppressWarnings("unchecked")
        List<GoldfishPipe> pipes = context.getStore(NAMESPACE).remove(PIPES_KEY + context.getUniqueId(), List.class);
        if (pipes == null) {
            return;
        }
        IOException failure = null;
        for (GoldfishPipe pipe : pipes) {
            try {
                pipe.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** An emulator child process on a temporary directory of its own, which {@link #close()} removes. */
    private static final class RunningDevice {
        private final Path workDir;
        private final EmulatorProcess process;
        private final EmulatedDevice device;

        private RunningDevice(Path workDir, EmulatorProcess process) {
            this.workDir = workDir;
            this.process = process;
            this.device = new EmulatedDevice(process.devicePath(), process.mountDir(), process.statusPath());
        }

        static RunningDevice start() throws IOException {
            Path workDir = WorkDirectory.create("goldfish-dma-test-");
            try {
                return new RunningDevice(workDir, EmulatorProcess.start(Files.createDirectory(workDir.resolve("mnt"))));
            } catch (IOException | RuntimeException e) {
                removeIfEmpty(workDir.resolve("mnt"));
                Files.deleteIfExists(workDir.resolve(WorkDirectory.MARKER));
                removeIfEmpty(workDir);
                throw e;
            }
        }

        void close() throws IOException {
            process.close();
            Files.deleteIfExists(process.mountDir());
            // The emulator keeps its log and crash report in the work directory when it crashed: leave them,
            // without the marker, so that no later start takes the directory for abandoned.
            Files.deleteIfExists(workDir.resolve(WorkDirectory.MARKER));
            removeIfEmpty(workDir);
        }

        private static void removeIfEmpty(Path dir) throws IOException {
            try {
                Files.deleteIfExists(dir);
            } catch (DirectoryNotEmptyException e) {
                // kept for the crash report in it
            }
        }
    }
}
