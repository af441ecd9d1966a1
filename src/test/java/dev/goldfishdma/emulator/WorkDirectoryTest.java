package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.FuseMount;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The work directories of killed runs are removed at the next start, and nothing else: only a directory with
 * the marker of a process that is gone, with nothing mounted inside once dead mounts are detached.
 */
class WorkDirectoryTest {
    @TempDir
    Path parent;

    @Test
    void createWritesTheMarkerOfThisProcess() throws Exception {
        Path dir = WorkDirectory.create("goldfish-test-");
        try {
            String marker = Files.readString(dir.resolve(WorkDirectory.MARKER), StandardCharsets.UTF_8);
            assertTrue(marker.contains("\npid " + ProcessHandle.current().pid() + "\n"), marker);
            assertEquals(List.of(), WorkDirectory.removeAbandoned(dir.getParent()).stream()
                    .filter(dir::equals).toList(), "a live process's directory is kept");
            assertTrue(Files.isDirectory(dir));
        } finally {
            WorkDirectory.delete(dir);
        }
    }

    @Test
    void aDeadRunsDirectoryIsRemovedALiveOneAndOthersAreKept() throws Exception {
        ProcessHandle dead = finishedProcess();
        Path abandoned = workDir("goldfish-dma-dead", dead.pid(), "2000-01-01T00:00:00Z");
        Files.createDirectories(abandoned.resolve("mnt/deeper"));
        Files.writeString(abandoned.resolve("goldfish-emulator-mnt.log"), "log of a killed run");
        Files.createSymbolicLink(abandoned.resolve("link"), parent.resolve("kept-target"));
        Path keptTarget = Files.createDirectory(parent.resolve("kept-target"));
        Files.writeString(keptTarget.resolve("precious"), "not ours to remove");

        ProcessHandle self = ProcessHandle.current();
        Path live = workDir("goldfish-dma-live", self.pid(), self.info().startInstant().orElseThrow().toString());
        // A pid taken again by a newer process: the start time tells it apart.
        Path reused = workDir("goldfish-dma-reused", self.pid(), "2000-01-01T00:00:00Z");
        Path unmarked = Files.createDirectory(parent.resolve("goldfish-dma-unmarked"));
        Path otherName = Files.createDirectory(parent.resolve("not-goldfish"));
        WorkDirectory.markOwner(otherName, dead.pid(), "2000-01-01T00:00:00Z");
        Path badMarker = Files.createDirectory(parent.resolve("goldfish-dma-bad-marker"));
        Files.writeString(badMarker.resolve(WorkDirectory.MARKER), "something else\npid " + dead.pid() + "\n");

        List<Path> removed = WorkDirectory.removeAbandoned(parent);

        assertEquals(List.of(abandoned, reused).stream().sorted().toList(), removed.stream().sorted().toList());
        assertFalse(Files.exists(abandoned));
        assertFalse(Files.exists(reused));
        assertTrue(Files.exists(keptTarget.resolve("precious")), "a symbolic link is not followed");
        for (Path kept : List.of(live, unmarked, otherName, badMarker)) {
            assertTrue(Files.isDirectory(kept), kept + " kept");
        }
    }

    @Test
    void aDeadRunsDirectoryWithALiveMountIsKeptOneWithADeadMountIsCleanedUp() throws Exception {
        Capabilities.requireFuseMount();
        ProcessHandle dead = finishedProcess();
        Path withLiveMount = workDir("goldfish-dma-live-mount", dead.pid(), "2000-01-01T00:00:00Z");
        Path withDeadMount = workDir("goldfish-dma-dead-mount", dead.pid(), "2000-01-01T00:00:00Z");
        try (EmulatorProcess serving = EmulatorProcess.start(Files.createDirectory(withLiveMount.resolve("mnt")))) {
            EmulatorProcess killed = EmulatorProcess.start(Files.createDirectory(withDeadMount.resolve("mnt")));
            killed.processHandle().destroyForcibly();
            killed.processHandle().onExit().get(10, TimeUnit.SECONDS);
            assertTrue(FuseMount.isMountPoint(withDeadMount.resolve("mnt")), "SIGKILL left the dead mount");

            assertEquals(List.of(withDeadMount), WorkDirectory.removeAbandoned(parent));
            assertFalse(Files.exists(withDeadMount));
            assertEquals(List.of(), FuseMount.mountsUnder(withDeadMount));
            assertTrue(FuseMount.isMountPoint(withLiveMount.resolve("mnt")), "a live mount is left alone");
            assertTrue(Files.exists(serving.statusPath()));
            killed.close();
        }
    }

    private Path workDir(String name, long pid, String start) throws Exception {
        Path dir = Files.createDirectory(parent.resolve(name));
        WorkDirectory.markOwner(dir, pid, start);
        return dir;
    }

    /** A process that has ended, whose pid is therefore (almost certainly) free. */
    private static ProcessHandle finishedProcess() throws Exception {
        Process process = new ProcessBuilder("true").start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        ProcessHandle handle = process.toHandle();
        assertFalse(handle.isAlive());
        return handle;
    }
}
