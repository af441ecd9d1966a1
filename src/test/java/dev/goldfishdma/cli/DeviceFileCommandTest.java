package dev.goldfishdma.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command given an ordinary file as the device refuses it, says what it is, and leaves it unchanged. */
class DeviceFileCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"transfer", "bench", "probe"})
    void aRegularFileGivenAsTheDeviceIsRefusedAndUnchanged(String command, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("goldfish_pipe");
        byte[] content = new byte[4096];
        new java.util.Random(3).nextBytes(content);
        Files.write(file, content);
        FileTime mtime = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(file, mtime);

        CliTest.Run run = CliTest.run(command, "--device", file.toString());

        assertEquals(ExitCode.NOT_A_GOLDFISH_PIPE.code(), run.exitCode(), run.toString());
        assertTrue(run.err().contains(file + " is a regular file"), run.err());
        assertTrue(run.err().contains("left untouched"), run.err());
        assertArrayEquals(content, Files.readAllBytes(file), "the file's bytes");
        assertEquals(mtime, Files.getLastModifiedTime(file), "the file's modification time");
    }

    @ParameterizedTest
    @ValueSource(strings = {"transfer", "bench", "probe"})
    void aDirectoryGivenAsTheDeviceIsNamed(String command, @TempDir Path dir) {
        CliTest.Run run = CliTest.run(command, "--device", dir.toString());
        assertEquals(ExitCode.NOT_A_GOLDFISH_PIPE.code(), run.exitCode(), run.toString());
        assertTrue(run.err().contains(dir + " is a directory"), run.err());
    }
}
