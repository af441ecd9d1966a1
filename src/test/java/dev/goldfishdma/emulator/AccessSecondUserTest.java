package dev.goldfishdma.emulator;

import dev.goldfishdma.emulator.fuse.FuseMount;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.service.DmaServiceProtocol;
import dev.goldfishdma.testing.Capabilities;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second local user against the first user's emulated device, through the kernel: the second user is a
 * child JVM run as uid {@value #SECOND_UID} ({@code setpriv}), which only root can start. By default it
 * reaches nothing of the mount; with {@code --allow-other} it uses the device, but the first user's regions
 * are as unknown to its {@code dma} service as a free address, and the status file stays closed to it.
 */
class AccessSecondUserTest {
    private static final int SECOND_UID = 65534;
    private static final long MIB = 1 << 20;

    @TempDir
    static Path workDir;

    @BeforeEach
    void requireRootAndASecondUser() throws IOException {
        Capabilities.requireFuseMount();
        Capabilities.require(Libc.getuid() == 0 && !FuseMount.inUserNamespace(),
                "needs root (outside a user namespace) to run a child as a second uid; an ordinary user cannot");
        Capabilities.require(Capabilities.uidMapped(SECOND_UID), "uid " + SECOND_UID + " is not mapped here");
        Capabilities.require(Capabilities.onPath("setpriv") != null,
                "needs setpriv (util-linux) to run a child as uid " + SECOND_UID);
        // The second user must reach the mount directory: the denial must come from the mount, not from here.
        Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void nothingLeftBehind() throws IOException {
        if (workDir != null) {
            Leftovers.assertNothingMountedUnder(workDir);
        }
    }

    @Test
    void byDefaultASecondUserReachesNothing() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("private"));
        try (EmulatorProcess emulator = EmulatorProcess.start(dir);
             GuestPipe pipe = GuestPipe.open(emulator.devicePath())) {
            long phys = mappedRegion(pipe);
            String said = asSecondUser("open:" + emulator.devicePath(), "open:" + emulator.statusPath(),
                    "open:" + dir, "crc:" + emulator.devicePath() + ":" + Long.toHexString(phys));
            assertTrue(said.contains("uid " + SECOND_UID + "\n"), said);
            assertTrue(said.contains("open " + emulator.devicePath() + " EACCES\n"), said);
            assertTrue(said.contains("open " + emulator.statusPath() + " EACCES\n"), said);
            assertTrue(said.contains("open " + dir + " EACCES\n"), said);
            assertTrue(said.contains("crc failed EACCES"), said);
            assertEquals(0, crcStatus(emulator, phys), "the first user's own service finds the region");
        }
    }

    @Test
    void withAllowOtherASecondUserUsesTheDeviceButNotTheFirstUsersRegions() throws Exception {
        Path dir = Files.createDirectory(workDir.resolve("shared"));
        try (EmulatorProcess emulator = EmulatorProcess.start(dir, EmulatorOptions.builder().allowOther(true).build(),
                EmulatorProcess.DEFAULT_READY_TIMEOUT);
             GuestPipe pipe = GuestPipe.open(emulator.devicePath())) {
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(emulator.devicePath())));
            long phys = mappedRegion(pipe);
            long free = phys + 64 * MIB;
            String said = asSecondUser("open:" + emulator.devicePath(), "open:" + emulator.statusPath(),
                    "crc:" + emulator.devicePath() + ":" + Long.toHexString(phys),
                    "crc:" + emulator.devicePath() + ":" + Long.toHexString(free),
                    "own:" + emulator.devicePath());
            assertTrue(said.contains("uid " + SECOND_UID + "\n"), said);
            assertTrue(said.contains("open " + emulator.devicePath() + " ok\n"), said);
            assertTrue(said.contains("open " + emulator.statusPath() + " EACCES\n"), "owner-only: " + said);
            // The first user's region answers exactly as a free address does: nothing tells them apart.
            assertTrue(said.contains("crc " + Long.toHexString(phys) + " status=EINVAL\n"), said);
            assertTrue(said.contains("crc " + Long.toHexString(free) + " status=EINVAL\n"), said);
            assertTrue(said.contains("own status=0\n"),
                    "the second user's own region works: " + said);
            assertEquals(0, crcStatus(emulator, phys), "the first user's own service finds the region");
        }
    }

    @Test
    void withAllowOtherThroughFusermount3ASecondUserUsesTheDevice() throws Exception {
        // The way an ordinary user mounts, forced for root (which fusermount3 lets pass allow_other without
        // user_allow_other in /etc/fuse.conf): the option must reach the kernel through fusermount3 as well.
        System.setProperty(FuseMount.METHOD_PROPERTY, "fusermount3");
        try {
            Capabilities.require(FuseMount.unavailableReason() == null, "needs fusermount3 (the fuse3 package)");
            Path dir = Files.createDirectory(workDir.resolve("shared-through-fusermount3"));
            try (EmulatorProcess emulator = EmulatorProcess.start(dir,
                    EmulatorOptions.builder().allowOther(true).build(), EmulatorProcess.DEFAULT_READY_TIMEOUT);
                 GuestPipe pipe = GuestPipe.open(emulator.devicePath())) {
                String status = Files.readString(emulator.statusPath());
                assertTrue(status.contains("\nmounted-by fusermount3 (uid 0"), status);
                String mount = Leftovers.mountInfoLine(dir);
                assertTrue(mount.contains(",allow_other"), mount);
                long phys = mappedRegion(pipe);
                String said = asSecondUser("open:" + emulator.devicePath(), "open:" + emulator.statusPath(),
                        "crc:" + emulator.devicePath() + ":" + Long.toHexString(phys), "own:" + emulator.devicePath());
                assertTrue(said.contains("open " + emulator.devicePath() + " ok\n"), said);
                assertTrue(said.contains("open " + emulator.statusPath() + " EACCES\n"), "owner-only: " + said);
                assertTrue(said.contains("crc " + Long.toHexString(phys) + " status=EINVAL\n"), said);
                assertTrue(said.contains("own status=0\n"), "the second user's own region works: " + said);
            }
        } finally {
            System.clearProperty(FuseMount.METHOD_PROPERTY);
        }
    }

    /** Makes a region of 1 MiB on {@code pipe}, maps and writes it, and returns its physical address. */
    private static long mappedRegion(GuestPipe pipe) throws Exception {
        assertEquals(0, pipe.createRegion(MIB));
        MemorySegment mapping = pipe.map(MIB);
        mapping.fill((byte) 42);
        long phys = pipe.getOff()[0];
        assertTrue(phys != 0, "mapped: the region has an address");
        return phys;
    }

    /** The status the first user's {@code dma} service answers for the CRC of the first page at {@code phys}. */
    private static int crcStatus(EmulatorProcess emulator, long phys) throws Exception {
        try (GuestPipe dma = GuestPipe.connect(emulator.devicePath(), DmaServiceProtocol.SERVICE_NAME);
             Arena arena = Arena.ofConfined()) {
            MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
            DmaServiceProtocol.encodeCrc(command, phys, 0, Libc.PAGE_SIZE);
            return DmaServiceProtocol.decodeStatus(dma.dmaCommand(command));
        }
    }

    /** Runs {@link SecondUser} as uid {@value #SECOND_UID} with {@code attempts}; returns what it printed. */
    private static String asSecondUser(String... attempts) throws Exception {
        // Only the project's own class directories: the second user cannot read root's Maven repository.
        String classPath = location(Libc.class) + ":" + location(SecondUser.class);
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(Capabilities.onPath("setpriv").toString(),
                "--reuid=" + SECOND_UID, "--regid=" + SECOND_UID, "--clear-groups",
                java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:-UsePerfData",
                "-cp", classPath, SecondUser.class.getName()));
        command.addAll(List.of(attempts));
        return Capabilities.run(command, 60);
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
