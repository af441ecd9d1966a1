package dev.goldfishdma.device;

import dev.goldfishdma.junit.EmulatedDevice;
import dev.goldfishdma.junit.EmulatedGoldfishDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's example, its test and its dependency snippet are the files of {@code consumer/}, the project
 * that CI builds against the installed library (on the module path and on the class path); the example runs
 * here too, against the emulated device.
 */
@EmulatedGoldfishDevice
class ReadmeExampleTest {
    private static final Path README = Path.of("README.md");
    private static final Path CONSUMER = Path.of("consumer");
    private static final Path EXAMPLE = CONSUMER.resolve("src/main/java/example/upload/Upload.java");
    private static final Path EXAMPLE_TEST = CONSUMER.resolve("src/test/java/example/upload/UploadTest.java");

    @Test
    void theExampleRunsAgainstTheEmulatedDevice(EmulatedDevice device, @TempDir Path classes) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "-proc:none", "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), EXAMPLE.toString());
        assertEquals(0, status, () -> diagnostics.toString(StandardCharsets.UTF_8));

        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            Method upload = loader.loadClass("example.upload.Upload")
                    .getMethod("uploadAndLetTheHostCheck", Path.class);
            try {
                upload.invoke(null, device.path());
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
        assertTrue(device.status().contains("regions 0"), "the example released its region: " + device.status());
    }

    @Test
    void theReadmeShowsTheExampleAndItsTestVerbatim() throws IOException {
        List<String> shown = codeBlocks("java");
        assertTrue(shown.contains(Files.readString(EXAMPLE)), "README.md shows " + EXAMPLE + " as it is");
        assertTrue(shown.contains(Files.readString(EXAMPLE_TEST)), "README.md shows " + EXAMPLE_TEST + " as it is");
    }

    @Test
    void theReadmeShowsTheDependencyTheConsumerUses() throws IOException {
        List<String> pom = Files.readAllLines(CONSUMER.resolve("pom.xml"));
        int start = pom.indexOf("    <!-- README: dependency -->");
        int end = pom.indexOf("    <!-- README: end -->");
        assertTrue(start >= 0 && end > start, "consumer/pom.xml marks the dependency the README shows");
        String dependency = String.join("\n", pom.subList(start + 1, end).stream()
                .map(line -> line.substring(4)).toList()) + "\n";
        assertTrue(codeBlocks("xml").contains(dependency), "README.md shows the dependency:\n" + dependency);

        String version = projectVersion();
        assertTrue(dependency.contains("<version>" + version + "</version>"), dependency);
        assertTrue(codeBlocks("kotlin").stream()
                        .anyMatch(block -> block.contains("\"dev.goldfishdma:goldfish-dma:" + version + "\"")),
                "README.md shows the Gradle dependency on version " + version);
    }

    /** The contents of the README's fenced code blocks in {@code language}, each ending with its last newline. */
    private static List<String> codeBlocks(String language) throws IOException {
        Matcher block = Pattern.compile("(?m)^```" + language + "\\n(.*?)^```$", Pattern.DOTALL)
                .matcher(Files.readString(README));
        List<String> blocks = new ArrayList<>();
        while (block.find()) {
            blocks.add(block.group(1));
        }
        return blocks;
    }

    /** This project's version, from its pom.xml. */
    private static String projectVersion() throws IOException {
        Matcher version = Pattern.compile("<artifactId>goldfish-dma</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(version.find(), "pom.xml states the project's version");
        return version.group(1);
    }
}
