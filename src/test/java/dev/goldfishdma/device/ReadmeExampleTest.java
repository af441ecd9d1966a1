package dev.goldfishdma.device;

import dev.goldfishdma.testing.EmulatedDevice;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's example is the code this test runs. */
class ReadmeExampleTest {
    private static final Path SOURCE = Path.of("src/test/java/dev/goldfishdma/device/ReadmeExample.java");

    @Test
    void theExampleRunsAgainstTheEmulatedDevice() throws Exception {
        try (EmulatedDevice device = EmulatedDevice.start()) {
            ReadmeExample.uploadAndLetTheHostCheck(device.path());
            assertTrue(device.status().contains("regions 0"), "the example released its region: " + device.status());
        }
    }

    @Test
    void theReadmeShowsTheExampleVerbatim() throws Exception {
        List<String> example = exampleRegion();
        assertTrue(example.size() > 10, "the example region was found: " + example);
        String readme = Files.readString(Path.of("README.md"));
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "README.md has a java code block");
        List<String> shown = block.group(1).lines().toList();
        assertEquals(example, shown);
    }

    /** The lines between {@code @start region="example"} and {@code @end}, with their common indent removed. */
    private static List<String> exampleRegion() throws Exception {
        List<String> lines = Files.readAllLines(SOURCE);
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("@start region=\"example\"")) {
                start = i + 1;
            } else if (lines.get(i).contains("// @end")) {
                end = i;
            }
        }
        List<String> region = lines.subList(start, end);
        int indent = region.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return region.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }
}
