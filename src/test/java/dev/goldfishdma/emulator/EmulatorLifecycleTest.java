package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.FuseMount;
import dev.goldfishdma.libc.Errno;
import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.OpenFlags;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starting and stopping the emulator, in this JVM and as a command, and cleaning up after a killed one. */
class EmulatorLifecycleTest {
    @TempDir
    static Path workDir;

    @BeforeEach
    void requireFuse() {
        Capabilities.requireFuseMount();
    }

    @AfterAll
    static void nothingLeftBehind() throws IOException {
        if (workDir != null) {
            Leftovers.assertNothingMountedUnder(workDir);
            Leftovers.assertNoCrashReportsUnder(workDir);
        }
    }

    /** In-process use is fine as long as this JVM does not map the device. */
    @Test
    void inProcessEmulatorServesPipesAndUnmountsOnClose() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("in-process"));
        GoldfishPipeEmulator emulator = GoldfishPipeEmulator.start(dir);
        try {
            assertTrue(FuseMount.isMountPoint(dir));
            assertEquals(dir.resolve("goldfish_pipe"), emulator.devicePath());
            try (GuestPipe pipe = GuestPipe.connect(emulator.devicePath(), "echo")) {
                pipe.write("in process".getBytes(StandardCharsets.UTF_8));
                assertEquals("in process", new String(pipe.readExactly(10), StandardCharsets.UTF_8));
                assertEquals(0, pipe.createRegion(1 << 20));
                assertEquals(1 << 20, pipe.getOff()[1]);
                assertTrue(emulator.status().contains("\nmemory " + emulator.memoryMode().optionName()),
                        emulator.status());
                assertTrue(emulator.status().startsWith("pipes 1\nregions 1\n"), emulator.status());
            }
        } finally {
            emulator.close();
        }
        assertFalse(FuseMount.isMountPoint(dir));
        emulator.close(); // idempotent
    }

    @Test
    void closingTheEmulatorProcessStopsItAndLeavesNoMount() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("process"));
        EmulatorProcess emulator = EmulatorProcess.start(dir);
        ProcessHandle child = emulator.processHandle();
        assertTrue(FuseMount.isMountPoint(dir));
        assertEquals(dir.resolve("goldfish_pipe"), emulator.devicePath());
        emulator.close();
        assertFalse(child.isAlive());
        assertFalse(FuseMount.isMountPoint(dir));
        assertEquals(List.of(), FuseMount.mountsUnder(dir));
    }

    @Test
    void deadMountOfAKilledEmulatorIsDetachedAtTheNextStart() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("killed"));
        EmulatorProcess first = EmulatorProcess.start(dir);
        try {
            first.processHandle().destroyForcibly();
            first.processHandle().onExit().get(10, TimeUnit.SECONDS);
            // SIGKILL runs no shutdown hook: the mount stays, its connection dead.
            assertTrue(FuseMount.isMountPoint(dir));
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> Libc.open(dir.toString(), OpenFlags.O_RDONLY));
            assertEquals(Errno.ENOTCONN, e.errno());

            try (EmulatorProcess second = EmulatorProcess.start(dir);
                 GuestPipe pipe = GuestPipe.connect(second.devicePath(), "echo")) {
                pipe.write(new byte[] {42});
                assertArrayEquals(new byte[] {42}, pipe.readExactly(1));
                assertEquals(1, FuseMount.mounts().stream()
                        .filter(m -> m.mountPoint().equals(dir)).count(), "exactly one mount: the live one");
            }
            assertFalse(FuseMount.isMountPoint(dir));
        } finally {
            first.close();
        }
    }

    @Test
    void closeDetachesTheMountOfAChildThatDiedWithoutCleaningUp() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("died"));
        EmulatorProcess emulator = EmulatorProcess.start(dir);
        emulator.processHandle().destroyForcibly();
        emulator.processHandle().onExit().get(10, TimeUnit.SECONDS);
        assertTrue(FuseMount.isMountPoint(dir));
        emulator.close();
        assertFalse(FuseMount.isMountPoint(dir));
    }

    @Test
    void startingOnADirectoryAlreadyServedFails() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("busy"));
        try (EmulatorProcess emulator = EmulatorProcess.start(dir)) {
            IOException e = assertThrows(IOException.class, () -> GoldfishPipeEmulator.start(dir));
            assertTrue(e.getMessage().contains("already mounted"), e.getMessage());
            try (GuestPipe pipe = GuestPipe.connect(emulator.devicePath(), "echo")) {
                pipe.write(new byte[] {7});
                assertArrayEquals(new byte[] {7}, pipe.readExactly(1), "the first emulator still serves");
            }
        }
    }

    @Test
    void aFailedStartReportsTheChildsLog() throws Exception {
        Path missing = workDir.resolve("no-such-dir");
        IOException e = assertThrows(IOException.class, () -> EmulatorProcess.start(missing));
        assertTrue(e.getMessage().contains("exited before serving"), e.getMessage());
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    /**
     * Auto takes passthrough wherever its requirements are met (Linux 6.9+, root), so that the tests of the
     * default mode run with passthrough there; elsewhere (an ordinary user) the page cache, saying why.
     */
    @Test
    void autoChoosesPassthroughWhereItCanElseThePageCacheSayingWhy() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("auto"));
        try (GoldfishPipeEmulator emulator = GoldfishPipeEmulator.start(dir, GoldfishPipeEmulator.defaultServices(),
                MemoryMode.AUTO)) {
            String status = emulator.status();
            if (EmulatorRequirements.unmet(MemoryMode.PASSTHROUGH).isEmpty()) {
                Capabilities.require(!status.contains("the kernel does not offer FUSE passthrough"),
                        "this kernel is built without FUSE passthrough (CONFIG_FUSE_PASSTHROUGH)");
                assertEquals(MemoryMode.PASSTHROUGH, emulator.memoryMode(), status);
                assertTrue(status.endsWith("\nmemory passthrough\n"), status);
            } else {
                assertEquals(MemoryMode.PAGE_CACHE, emulator.memoryMode(), status);
                assertTrue(status.contains("\nmemory page-cache (passthrough unavailable: "), status);
            }
        }
    }

    /**
     * In a user namespace the emulator may mount, but FUSE_DEV_IOC_BACKING_OPEN wants CAP_SYS_ADMIN in the
     * initial namespace: auto falls back to the page cache and says why; passthrough asked for refuses to
     * start, saying the same.
     */
    @Test
    void withoutCapSysAdminAutoFallsBackToThePageCacheAndPassthroughSaysWhy() throws Exception {
        Path unshare = Capabilities.onPath("unshare");
        Capabilities.require(unshare != null, "unshare (util-linux) is not on PATH");
        Capabilities.require(Capabilities.run(List.of(unshare.toString(), "-rm", "true"), 30).isEmpty(),
                "user namespaces are not available here (unshare -rm failed)");
        String why = Capabilities.kernelAtLeast(6, 9)
                ? "passthrough unavailable: FUSE_DEV_IOC_BACKING_OPEN failed: EPERM (1): Operation not permitted "
                + "(it needs CAP_SYS_ADMIN in the initial user namespace: root)"
                : "passthrough unavailable: the kernel does not offer FUSE passthrough";

        String auto = inNamespace(unshare, "auto");
        assertTrue(auto.contains("mode page-cache\nmemory page-cache (" + why), auto);

        String passthrough = inNamespace(unshare, "passthrough");
        assertTrue(passthrough.contains("failed: FUSE passthrough is not available: "
                + why.substring("passthrough unavailable: ".length())), passthrough);
    }

    private static String inNamespace(Path unshare, String mode) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(unshare.toString(), "-rm"));
        command.addAll(Capabilities.javaCommand(MemoryModeInNamespace.class.getName(),
                workDir.resolve("userns-" + mode).toString(), mode));
        return Capabilities.run(command, 60);
    }

    @Test
    void emulatorMainRejectsAWrongCommandLine() throws Exception {
        Process process = new ProcessBuilder(Capabilities.javaCommand(EmulatorMain.class.getName()))
                .directory(workDir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), output);
        assertTrue(output.contains("usage: EmulatorMain [OPTION]... <mountDir>"), output);
        assertTrue(output.contains(EmulatorOptions.usage()), output);
    }
}
