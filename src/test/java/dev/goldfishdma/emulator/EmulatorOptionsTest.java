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
}
