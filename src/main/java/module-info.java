/**
 * goldfish-dma: the goldfish pipe device and its DMA regions from Java, through the FFM API, and an
 * emulation of the device served over FUSE for tests on machines without an Android emulator.
 *
 * <ul>
 *   <li>{@link dev.goldfishdma.device}: pipes to host services and DMA regions (the library's API).</li>
 *   <li>{@link dev.goldfishdma.service}: the wire protocol of the emulated device's {@code dma} service.</li>
 *   <li>{@link dev.goldfishdma.emulator}: the emulated device, to start for tests and tools, and
 *       {@link dev.goldfishdma.emulator.AvailableDevice}, which takes the real device where there is one.</li>
 *   <li>{@link dev.goldfishdma.emulator.service}: the API of the emulated device's host services, for services
 *       of your own.</li>
 *   <li>{@link dev.goldfishdma.junit}: a JUnit Jupiter extension that runs a test class against an emulated
 *       device.</li>
 * </ul>
 *
 * <p>The library calls libc through restricted FFM methods: run with
 * {@code --enable-native-access=dev.goldfishdma} on the module path
 * ({@code --enable-native-access=ALL-UNNAMED} on the class path). It needs no other module at run time;
 * JUnit Jupiter only for the extension, and picocli only for the command-line tool it also contains.
 */
module dev.goldfishdma {
    exports dev.goldfishdma.device;
    exports dev.goldfishdma.service;
    exports dev.goldfishdma.emulator;
    exports dev.goldfishdma.emulator.service;
    exports dev.goldfishdma.junit;

    // Only the extension in dev.goldfishdma.junit uses JUnit, and only the command-line tool uses picocli: neither
    // is needed to compile or run against the library. (Not transitive: that would make JUnit a compile-time
    // requirement of every module that requires this one.)
    requires static org.junit.jupiter.api;
    requires static info.picocli;

    // picocli fills the tool's option fields by reflection.
    opens dev.goldfishdma.cli to info.picocli;
}
