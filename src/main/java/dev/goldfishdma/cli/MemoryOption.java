package dev.goldfishdma.cli;

import dev.goldfishdma.emulator.MemoryMode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The {@code --memory} option of the commands that start an emulated device: its {@link MemoryMode}. */
final class MemoryOption implements ITypeConverter<MemoryMode> {
    static final String DESCRIPTION = "How the emulated device shares DMA regions with the guest: auto (passthrough "
            + "when the kernel offers FUSE passthrough and the emulator may use it, i.e. Linux 6.9+ as root; "
            + "else page-cache), passthrough (true shared memory; fail if unavailable) or page-cache. "
            + "Default: auto, or the system property " + MemoryMode.PROPERTY + ".";

    @Override
    public MemoryMode convert(String value) {
        try {
            return MemoryMode.fromOptionName(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
