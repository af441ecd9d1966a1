package dev.goldfishdma.emulator;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmulatorRequirementsTest {
    @Test
    void kernelReleasesAreComparedByMajorAndMinor() {
        assertTrue(EmulatorRequirements.atLeast("6.6.0", 6, 6));
        assertTrue(EmulatorRequirements.atLeast("6.18.0-1-amd64", 6, 6), "18 > 6, not \"18\" < \"6\"");
        assertTrue(EmulatorRequirements.atLeast("7.0-rc1", 6, 6));
        assertFalse(EmulatorRequirements.atLeast("6.5.13", 6, 6));
        assertFalse(EmulatorRequirements.atLeast("5.15.0-91-generic", 6, 6));
        assertFalse(EmulatorRequirements.atLeast("unknown", 6, 6));
    }

    @Test
    void aMachineWithoutUsableFuseCannotRunTheDevice() {
        boolean fuseUsable = Files.isReadable(Path.of("/dev/fuse")) && Files.isWritable(Path.of("/dev/fuse"));
        if (!fuseUsable) {
            assertTrue(EmulatorRequirements.unmet().isPresent(), "no usable /dev/fuse is an unmet requirement");
        }
        EmulatorRequirements.unmet().ifPresent(reason -> assertTrue(reason.contains("Linux")
                || reason.contains("/dev/fuse") || reason.contains("fuse3 package"), reason));
    }
}
