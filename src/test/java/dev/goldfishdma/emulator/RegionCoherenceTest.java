package dev.goldfishdma.emulator;

import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;
import dev.goldfishdma.service.DmaServiceProtocol;
import dev.goldfishdma.testing.Capabilities;
import dev.goldfishdma.testing.Reliability;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A region as memory that guest and host share, in whichever memory mode the emulator runs (the suite runs
 * once per mode): each side sees the other's writes without msync, host writes survive the kernel's
 * writeback and page reclaim racing with them, and asking the kernel to populate or lock pages no region
 * backs returns instead of hanging. Only system calls on the mounted device, as a guest makes them.
 */
class RegionCoherenceTest {
    private static final long KIB = 1024;
    private static final int RW = MmapFlags.PROT_READ | MmapFlags.PROT_WRITE;

    @TempDir
    static Path workDir;
    private static EmulatorProcess emulator;
    private static Path device;
    private static MemoryMode memory;

    @BeforeAll
    static void startEmulator() throws Exception {
        Capabilities.requireFuseMount();
        emulator = EmulatorProcess.start(Files.createDirectory(workDir.resolve("mnt")));
        device = emulator.devicePath();
        memory = emulator.memoryMode();
    }

    @AfterAll
    static void stopEmulator() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (workDir != null) {
            Leftovers.assertNothingMountedUnder(workDir);
        }
    }

    @Test
    void eachSideSeesTheOthersWritesWithoutMsync() throws Exception {
        long size = 1024 * KIB;
        SplittableRandom random = new SplittableRandom(11);
        try (GuestPipe pipe = GuestPipe.connect(device, DmaServiceProtocol.SERVICE_NAME);
             Arena arena = Arena.ofConfined()) {
            assertEquals(0, pipe.createRegion(size));
            MemorySegment mapping = pipe.map(size, RW);
            try {
                long phys = pipe.getOff()[0];
                MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
                MemorySegment expected = arena.allocate(8 * KIB);
                for (int round = 0; round < 200; round++) {
                    // guest -> host: one byte, then the host's checksum of it
                    long at = random.nextLong(size);
                    byte value = (byte) random.nextInt(256);
                    mapping.set(JAVA_BYTE, at, value);
                    DmaServiceProtocol.encodeCrc(command, phys, at, 1);
                    MemorySegment answer = pipe.dmaCommand(command);
                    assertEquals(0, DmaServiceProtocol.decodeStatus(answer));
                    CRC32C crc = new CRC32C();
                    crc.update(value);
                    assertEquals(crc.getValue(), DmaServiceProtocol.decodeCrc(answer), "round " + round + ", byte " + at);

                    // host -> guest: a fill, then the guest reads its mapping
                    long length = 1 + random.nextLong(expected.byteSize());
                    long from = random.nextLong(size - length + 1);
                    int seed = round;
                    DmaServiceProtocol.encodeFill(command, seed, phys, from, length);
                    assertEquals(0, DmaServiceProtocol.decodeStatus(pipe.dmaCommand(command)));
                    DmaServiceProtocol.fillPattern(expected.asSlice(0, length), seed, 0);
                    assertEquals(-1, mapping.asSlice(from, length).mismatch(expected.asSlice(0, length)),
                            "round " + round + ", fill of [" + from + ", +" + length + ")");
                }
            } finally {
                GuestPipe.unmap(mapping);
            }
        }
    }

    /**
     * Each round, the guest dirties the whole region and keeps writing its first half while the host fills
     * the second half, with another guest thread forcing writeback (msync) all along; then the guest asks
     * the kernel to reclaim the region's pages (MADV_PAGEOUT). Afterwards each half holds what its writer
     * wrote last, for the guest and for the host. With the page cache, a reclaimed page comes back from the
     * region's file, so this is where a writeback that undid a host write would show.
     */
    @Test
    void hostWritesRacingGuestWritesWritebackAndReclaimLoseNothing() throws Exception {
        long size = 256 * KIB;
        long half = size / 2;
        int rounds = Reliability.scale(1000, 10_000);
        try (GuestPipe pipe = GuestPipe.connect(device, DmaServiceProtocol.SERVICE_NAME);
             Arena arena = Arena.ofShared()) {
            assertEquals(0, pipe.createRegion(size));
            MemorySegment mapping = pipe.map(size, RW);
            try {
                long phys = pipe.getOff()[0];
                MemorySegment command = arena.allocate(DmaServiceProtocol.COMMAND_SIZE);
                MemorySegment hostHalf = arena.allocate(half);
                List<String> lost = new ArrayList<>();
                long start = System.nanoTime();
                for (int round = 0; round < rounds; round++) {
                    byte guestByte = (byte) (round * 7 + 1);
                    mapping.fill((byte) 0xee);
                    AtomicBoolean hostDone = new AtomicBoolean();
                    AtomicReference<Throwable> failure = new AtomicReference<>();
                    Thread flusher = new Thread(() -> {
                        try {
                            while (!hostDone.get()) {
                                Libc.msync(mapping, size, MmapFlags.MS_SYNC);
                            }
                        } catch (Throwable t) {
                            failure.set(t);
                        }
                    }, "guest-msync");
                    Thread writer = new Thread(() -> {
                        while (!hostDone.get()) {
                            mapping.asSlice(0, half).fill(guestByte);
                        }
                        mapping.asSlice(0, half).fill(guestByte);
                    }, "guest-writer");
                    flusher.start();
                    writer.start();
                    DmaServiceProtocol.encodeFill(command, round, phys, half, half);
                    int status = DmaServiceProtocol.decodeStatus(pipe.dmaCommand(command));
                    hostDone.set(true);
                    flusher.join(TimeUnit.SECONDS.toMillis(30));
                    writer.join(TimeUnit.SECONDS.toMillis(30));
                    assertNull(failure.get());
                    assertEquals(0, status, "round " + round);
                    Libc.madvise(mapping, size, MmapFlags.MADV_PAGEOUT);

                    DmaServiceProtocol.fillPattern(hostHalf, round, 0);
                    long wrongHost = mapping.asSlice(half, half).mismatch(hostHalf);
                    long wrongGuest = firstOtherThan(mapping.asSlice(0, half), guestByte);
                    if (wrongHost >= 0 || wrongGuest >= 0) {
                        lost.add("round " + round + ": " + (wrongHost >= 0 ? "host byte " + (half + wrongHost)
                                + " reads " + mapping.get(JAVA_BYTE, half + wrongHost) : "")
                                + (wrongGuest >= 0 ? " guest byte " + wrongGuest : ""));
                    }
                    // And the host reads back what the guest sees.
                    DmaServiceProtocol.encodeCrc(command, phys, 0, size);
                    MemorySegment answer = pipe.dmaCommand(command);
                    CRC32C crc = new CRC32C();
                    crc.update(mapping.asByteBuffer());
                    assertEquals(crc.getValue(), DmaServiceProtocol.decodeCrc(answer), "round " + round);
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                Reliability.report("region coherence (" + memory + ")", rounds + " rounds of host fill racing "
                        + "guest writes, writeback and reclaim in " + millis + " ms; lost writes: " + lost.size());
                assertEquals(List.of(), lost.subList(0, Math.min(5, lost.size())), lost.size() + " rounds lost writes");
            } finally {
                GuestPipe.unmap(mapping);
            }
        }
    }

    private static long firstOtherThan(MemorySegment segment, byte value) {
        for (long i = 0; i < segment.byteSize(); i++) {
            if (segment.get(JAVA_BYTE, i) != value) {
                return i;
            }
        }
        return -1;
    }

    /**
     * MAP_POPULATE over pages no region backs returns (having populated nothing there), MADV_POPULATE_WRITE
     * fails with EFAULT and mlock with ENOMEM, past the region and before CREATE_REGION, in both modes: what a
     * memfd does. In a child JVM, which is killed if a call never returns.
     */
    @Test
    void populatingOrLockingPagesNoRegionBacksReturns() throws Exception {
        long region = 64 * KIB;
        List<String> command = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-XX:ErrorFile=" + workDir.resolve("hs_err_populate_pid%p.log"),
                "-cp", System.getProperty("java.class.path"), PopulateOutsideRegion.class.getName(),
                device.toString(), Long.toString(region));
        Process child = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        try {
            boolean exited = child.waitFor(60, TimeUnit.SECONDS);
            String output = exited ? new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
            assertTrue(exited, "a populate or mlock call did not return within 60 s");
            assertEquals(0, child.exitValue(), output);
            for (String where : List.of("before CREATE_REGION", "past the region")) {
                assertTrue(output.contains("MAP_POPULATE " + where + ": returned"), output);
                assertTrue(output.contains("MADV_POPULATE_WRITE " + where + ": EFAULT"), output);
                assertTrue(output.contains("mlock " + where + ": ENOMEM"), output);
            }
            assertTrue(output.contains("inside the region: populated and locked\ndone"), output);
        } finally {
            child.destroyForcibly();
        }
    }
}
