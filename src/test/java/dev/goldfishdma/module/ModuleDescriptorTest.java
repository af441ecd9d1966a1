package dev.goldfishdma.module;

import dev.goldfishdma.device.GoldfishPipe;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module the build compiles (tests run on the class path, so this reads the descriptor rather than the
 * module layer): it exports the API and nothing else, needs nothing at run time but java.base, and is a
 * Java 17 class file that build tools on older JDKs can read.
 */
class ModuleDescriptorTest {
    private static final Set<String> API = Set.of("dev.goldfishdma.device", "dev.goldfishdma.service",
            "dev.goldfishdma.emulator", "dev.goldfishdma.emulator.service", "dev.goldfishdma.junit");

    @Test
    void exportsTheApiAndNothingElse() throws IOException {
        ModuleDescriptor module = descriptor();
        assertEquals("dev.goldfishdma", module.name());
        Set<String> exported = module.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(API), exported);
        assertTrue(module.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified), module.toString());
        assertEquals(Map.of("dev.goldfishdma.cli", Set.of("info.picocli")), module.opens().stream()
                .collect(Collectors.toMap(ModuleDescriptor.Opens::source, ModuleDescriptor.Opens::targets)));
    }

    @Test
    void needsOnlyJavaBaseAtRunTime() throws IOException {
        for (ModuleDescriptor.Requires requires : descriptor().requires()) {
            boolean optional = requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC);
            assertTrue(optional || requires.name().equals("java.base"), "required at run time: " + requires);
        }
    }

    @Test
    void isAJava17ClassFile() throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(descriptorFile()))) {
            assertEquals(0xCAFEBABE, in.readInt());
            in.readUnsignedShort();
            assertEquals(61, in.readUnsignedShort(), "major version of module-info.class");
        }
    }

    private static ModuleDescriptor descriptor() throws IOException {
        try (InputStream in = Files.newInputStream(descriptorFile())) {
            return ModuleDescriptor.read(in);
        }
    }

    /** module-info.class beside the library's classes, wherever the build put them. */
    private static Path descriptorFile() {
        try {
            Path classes = Path.of(GoldfishPipe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.resolve("module-info.class");
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
