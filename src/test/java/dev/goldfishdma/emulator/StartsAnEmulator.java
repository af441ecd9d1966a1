package dev.goldfishdma.emulator;

import java.nio.file.Path;

/**
 * A tool's JVM for the lifecycle tests: starts an emulator child ({@link EmulatorProcess}) on the directory
 * given, prints {@code EMULATOR <pid>}, and waits to be killed.
 */
public final class StartsAnEmulator {
    private StartsAnEmulator() {
    }

    public static void main(String[] args) throws Exception {
        EmulatorProcess emulator = EmulatorProcess.start(Path.of(args[0]));
        System.out.println("EMULATOR " + emulator.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
