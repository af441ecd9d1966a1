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

    /** SIGKILL of the tool's JVM: its emulator child notices (its standard input ends), unmounts and exits. */
    @Test
    void sigkillOfTheToolLeavesNoEmulatorAndNoMount() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("tool-killed"));
        Process tool = new ProcessBuilder(Capabilities.javaCommand(StartsAnEmulator.class.getName(), dir.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long emulatorPid;
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(tool.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line = lines.readLine();
            assertTrue(line != null && line.startsWith("EMULATOR "), "the tool said: " + line);
            emulatorPid = Long.parseLong(line.substring("EMULATOR ".length()));
            ProcessHandle emulator = ProcessHandle.of(emulatorPid).orElseThrow();
            assertTrue(FuseMount.isMountPoint(dir));

            tool.destroyForcibly(); // SIGKILL: no shutdown hook of the tool runs
            assertTrue(tool.waitFor(10, TimeUnit.SECONDS));
            emulator.onExit().get(30, TimeUnit.SECONDS);
        }
        assertTrue(ProcessHandle.of(emulatorPid).isEmpty(), "the emulator process is gone");
        assertFalse(FuseMount.isMountPoint(dir), "nothing mounted: " + Files.readString(Path.of("/proc/self/mountinfo")));
        Files.deleteIfExists(workDir.resolve("goldfish-emulator-tool-killed.log"));
    }

    /**
     * The emulator is tied to this JVM, not to the thread that started it: PR_SET_PDEATHSIG fires when the
     * starting thread ends, so the child must be started from a thread that lives as long as the JVM.
     */
    @Test
    void anEmulatorOutlivesTheThreadThatStartedIt() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("thread-ended"));
        java.util.concurrent.atomic.AtomicReference<EmulatorProcess> started = new java.util.concurrent.atomic.AtomicReference<>();
        Thread starter = new Thread(() -> {
            try {
                started.set(EmulatorProcess.start(dir));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        starter.start();
        starter.join();
        try (EmulatorProcess emulator = started.get()) {
            Thread.sleep(1000);
            assertTrue(emulator.processHandle().isAlive());
            try (GuestPipe pipe = GuestPipe.connect(emulator.devicePath(), "echo")) {
                pipe.write(new byte[] {5});
                assertArrayEquals(new byte[] {5}, pipe.readExactly(1));
            }
        }
        assertFalse(FuseMount.isMountPoint(dir));
    }

    /**
     * Run by a person ({@code emulator DIR} from a shell), the emulator watches no standard input: its end
     * does not stop it. SIGTERM does, unmounting.
     */
    @Test
    void theCommandWithoutExitWithParentIgnoresTheEndOfItsInput() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("command"));
        Process command = new ProcessBuilder(Capabilities.javaCommand(EmulatorMain.class.getName(), dir.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            command.getOutputStream().close();
            String ready = new java.io.BufferedReader(new java.io.InputStreamReader(command.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            assertTrue(ready != null && ready.startsWith(EmulatorMain.READY), "said: " + ready);
            Thread.sleep(1000);
            assertTrue(command.isAlive(), "still serving after its input ended");
            assertTrue(FuseMount.isMountPoint(dir));
        } finally {
            command.destroy();
            assertTrue(command.waitFor(30, TimeUnit.SECONDS));
        }
        assertFalse(FuseMount.isMountPoint(dir));
    }

    @Test
    void aDirectoryThatIsNotEmptyIsRefusedUnlessAsked() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("not-empty"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        IOException e = assertThrows(IOException.class, () -> GoldfishPipeEmulator.start(dir));
        assertTrue(e.getMessage().contains("not empty") && e.getMessage().contains("notes.txt")
                && e.getMessage().contains("--non-empty"), e.getMessage());
        assertFalse(FuseMount.isMountPoint(dir));

        try (GoldfishPipeEmulator emulator = GoldfishPipeEmulator.start(dir, GoldfishPipeEmulator.defaultServices(),
                EmulatorOptions.builder().nonEmpty(true).build())) {
            assertFalse(Files.exists(dir.resolve("notes.txt")), "hidden under the mount");
            assertTrue(Files.exists(emulator.devicePath()));
        }
        assertEquals("mine", Files.readString(dir.resolve("notes.txt")), "back after unmounting");
    }

    /** A dead mount is detached before anything else looks at the directory, and the command says so. */
    @Test
    void theCommandSaysItDetachedADeadMount() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("stale"));
        EmulatorProcess killed = EmulatorProcess.start(dir);
        killed.processHandle().destroyForcibly();
        killed.processHandle().onExit().get(10, TimeUnit.SECONDS);
        assertTrue(FuseMount.isMountPoint(dir));
        Path log = workDir.resolve("stale-command.log");
        Process command = new ProcessBuilder(Capabilities.javaCommand(EmulatorMain.class.getName(), dir.toString()))
                .redirectError(log.toFile()).start();
        try {
            String ready = new java.io.BufferedReader(new java.io.InputStreamReader(command.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            assertTrue(ready != null && ready.startsWith(EmulatorMain.READY), "said: " + ready);
            String said = Files.readString(log);
            assertTrue(said.contains("goldfish emulator: detached a dead mount of a killed emulator from " + dir
                    + " (its server was gone: every access there failed with ENOTCONN)"), said);
        } finally {
            command.destroy();
            assertTrue(command.waitFor(30, TimeUnit.SECONDS));
            killed.close();
            Files.deleteIfExists(log);
        }
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
