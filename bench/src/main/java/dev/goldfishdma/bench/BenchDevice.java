package dev.goldfishdma.bench;

import dev.goldfishdma.emulator.AvailableDevice;
import dev.goldfishdma.emulator.EmulatorStatus;
import dev.goldfishdma.emulator.MemoryMode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The device a run's benchmarks work on, found once before the run the way each fork finds it
 * ({@link AvailableDevice}): its description for the report (for an emulated device, the memory mode it
 * settled on, which decides what the transfer and lock figures mean), and the JMH options that hold every
 * fork's emulated device to that same mode, so that a fork that cannot have it fails rather than falls back.
 *
 * @param description the device in words, e.g. {@code emulated goldfish pipe device (FUSE), memory passthrough}
 * @param pinned      the memory mode every fork's emulated device must use, or null for a real device
 */
record BenchDevice(String description, MemoryMode pinned) {

    /** Starts the device the forks will use (an emulated one with {@code memory}), asks it, and stops it. */
    static BenchDevice find(MemoryMode memory) throws IOException {
        try (AvailableDevice device = AvailableDevice.choose(null, memory)) {
            if (!device.emulated()) {
                return new BenchDevice("goldfish pipe device " + device.path() + " (" + device.memory() + ")", null);
            }
            Path status = EmulatorStatus.besideDevice(device.path())
                    .orElseThrow(() -> new IOException("the emulated device " + device.path() + " has no status file"));
            return new BenchDevice("emulated goldfish pipe device (FUSE), memory " + device.memory(),
                    EmulatorStatus.memoryMode(status));
        }
    }

    /** The JMH options that start every fork's emulated device in the {@linkplain #pinned pinned} mode. */
    List<String> jmhOptions() {
        return pinned == null ? List.of()
                : List.of("-jvmArgsPrepend", "-D" + MemoryMode.PROPERTY + "=" + pinned.optionName());
    }
}
