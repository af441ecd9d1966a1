package dev.goldfishdma.emulator;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The emulator's options survive the trip to a child's command line, and bad ones are named. */
class EmulatorOptionsTest {
    @Test
    void argumentsReadBackAsTheSameOptions() {
        for (MemoryMode mode : MemoryMode.values()) {
            EmulatorOptions options = EmulatorOptions.builder().memory(mode).build();
            EmulatorOptions again = EmulatorOptions.parse(options.toArguments());
            assertEquals(mode, again.memory());
            assertEquals(options, again);
        }
    }

    @Test
    void optionsNotGivenKeepTheirDefaults() {
        assertEquals(EmulatorOptions.defaults(), EmulatorOptions.parse(List.of()));
    }

    @Test
    void unknownOrMalformedOptionsAreNamed() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> EmulatorOptions.parse(List.of("--no-such-thing=1")));
        assertTrue(unknown.getMessage().contains("--no-such-thing=1"), unknown.getMessage());
        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
                () -> EmulatorOptions.parse(List.of("--memory=sideways")));
        assertTrue(malformed.getMessage().contains("sideways"), malformed.getMessage());
    }

    @Test
    void accessLimitAndLifecycleOptionsReadBack() {
        EmulatorOptions options = EmulatorOptions.builder().allowOther(true).nonEmpty(true).maxPipes(7)
                .maxRegionBytesPerUser(3L << 20).maxRegionBytes(5L << 30).exitWithParent(true).build();
        List<String> arguments = options.toArguments();
        assertTrue(arguments.containsAll(List.of("--allow-other", "--non-empty", "--max-pipes=7",
                "--max-region-bytes-per-user=3MiB", "--max-region-bytes=5GiB", "--exit-with-parent")), arguments.toString());
        assertEquals(options, EmulatorOptions.parse(arguments));
        EmulatorOptions defaults = EmulatorOptions.defaults();
        assertEquals(false, defaults.allowOther());
        assertEquals(false, defaults.nonEmpty());
        assertEquals(false, defaults.exitWithParent());
        assertEquals(256, defaults.maxPipes());
        assertEquals(1L << 30, defaults.maxRegionBytesPerUser());
        assertEquals(2L << 30, defaults.maxRegionBytes());
    }

    @Test
    void badLimitsAreNamed() {
        for (String bad : List.of("--max-pipes=0", "--max-pipes=many", "--max-region-bytes=0",
                "--max-region-bytes-per-user=1TiB")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EmulatorOptions.parse(List.of(bad)));
            assertTrue(e.getMessage().contains(bad.substring(0, bad.indexOf('=') + 1)), bad + ": " + e.getMessage());
        }
    }
}
