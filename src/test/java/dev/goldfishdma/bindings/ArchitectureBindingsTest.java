package dev.goldfishdma.bindings;

import dev.goldfishdma.gen.libc.LibcConstants;
import dev.goldfishdma.libc.OpenFlags;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The split of the libc binding by architecture: the per-architecture classes hold exactly the constants
 * known to differ between x86_64 and aarch64, each with a different value, and nothing else; the shared
 * class holds none of them. (That every shared constant is equal on both is checked when generating:
 * {@code bindings/regenerate.sh} generates the shared binding for both and fails on any difference.)
 */
class ArchitectureBindingsTest {
    private static final Set<String> KNOWN_TO_DIFFER = Set.of("O_DIRECTORY", "O_NOFOLLOW");

    /** The constants (static methods without arguments returning a number) a generated class declares. */
    private static Map<String, Long> constants(Class<?> type) throws ReflectiveOperationException {
        Map<String, Long> constants = new TreeMap<>();
        for (Method m : type.getDeclaredMethods()) {
            boolean number = m.getReturnType() == int.class || m.getReturnType() == long.class;
            if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                    && number) {
                constants.put(m.getName(), ((Number) m.invoke(null)).longValue());
            }
        }
        return constants;
    }

    @Test
    void thePerArchitectureClassesHoldExactlyTheConstantsThatDiffer() throws Exception {
        Map<String, Long> x86 = constants(dev.goldfishdma.gen.libc.x86_64.LibcArchConstants.class);
        Map<String, Long> arm = constants(dev.goldfishdma.gen.libc.aarch64.LibcArchConstants.class);
        assertEquals(KNOWN_TO_DIFFER, x86.keySet());
        assertEquals(KNOWN_TO_DIFFER, arm.keySet());
        for (String name : KNOWN_TO_DIFFER) {
            assertNotEquals(x86.get(name), arm.get(name), name);
        }
        for (String name : constants(LibcConstants.class).keySet()) {
            assertTrue(!KNOWN_TO_DIFFER.contains(name), name + " is in the shared class");
        }
    }

    @Test
    void openFlagsUsesTheClassOfTheRunningArchitecture() throws Exception {
        Class<?> running = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> dev.goldfishdma.gen.libc.x86_64.LibcArchConstants.class;
            case "aarch64" -> dev.goldfishdma.gen.libc.aarch64.LibcArchConstants.class;
            default -> throw new AssertionError("unsupported os.arch " + System.getProperty("os.arch"));
        };
        Map<String, Long> values = constants(running);
        assertEquals(values.get("O_DIRECTORY"), OpenFlags.O_DIRECTORY);
        assertEquals(values.get("O_NOFOLLOW"), OpenFlags.O_NOFOLLOW);
    }
}
