package example.upload;

import dev.goldfishdma.device.GoldfishPipe;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each of the build's two test runs uses the library the way it says: as a named module, or on the class path. */
class WhereItRunsTest {
    @Test
    void theLibraryIsWhereThisRunSaysItIs() {
        String path = System.getProperty("consumer.path");
        Module library = GoldfishPipe.class.getModule();
        assertEquals("module".equals(path), library.isNamed(), "run on the " + path + " path: " + library);
        if (library.isNamed()) {
            assertEquals("dev.goldfishdma", library.getName());
            assertEquals("example.upload", WhereItRunsTest.class.getModule().getName());
        }
    }
}
