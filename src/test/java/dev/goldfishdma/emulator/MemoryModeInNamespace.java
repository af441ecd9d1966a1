package dev.goldfishdma.emulator;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by the tests in a child JVM, inside a user namespace ({@code unshare -rm}), where the emulator may
 * mount but lacks CAP_SYS_ADMIN where FUSE passthrough asks for it: starts the emulator in-process (it maps
 * nothing) with the memory mode given, and prints the mode it settled on and the status file's memory line,
 * or why it did not start.
 *
 * <p>Arguments: a directory to create and mount on, the memory mode.
 */
public final class MemoryModeInNamespace {
    private MemoryModeInNamespace() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        MemoryMode asked = MemoryMode.fromOptionName(args[1]);
        try (GoldfishPipeEmulator emulator = GoldfishPipeEmulator.start(dir, GoldfishPipeEmulator.defaultServices(),
                asked)) {
            System.out.println("mode " + emulator.memoryMode().optionName());
            System.out.println(emulator.status().lines().filter(line -> line.startsWith("memory ")).findFirst()
                    .orElse("(no memory line)"));
        } catch (IOException e) {
            System.out.println("failed: " + e.getMessage());
        }
    }
}
