package dev.goldfishdma.device;

import dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension;
import dev.goldfishdma.service.DmaServiceProtocol;
import dev.goldfishdma.testing.ProcessResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The region manager on the emulated device: pooling, limits, concurrency and clean shutdown. */
class RegionManagerTest {
    @RegisterExtension
    static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();

    private static RegionManager.Builder manager() {
        return RegionManager.builder(DEVICE.path()).service(DmaServiceProtocol.SERVICE_NAME);
    }

    @Test
    void releasedRegionsAreReusedAndTooSmallOnesReplaced() throws Exception {
        try (RegionManager regions = manager().maxTotalBytes(1 << 20).build()) {
            DmaRegion first;
            try (RegionLease lease = regions.acquire(1000)) {
                first = lease.region();
                assertEquals(DriverRules.pageSize(), first.size());
            }
            assertEquals(1, regions.idleCount());
            try (RegionLease lease = regions.acquire(DriverRules.pageSize())) {
                assertSame(first, lease.region(), "the idle region is reused");
                DmaRegion grown = lease.ensureCapacity(64 * DriverRules.pageSize());
                assertNotSame(first, grown);
                assertEquals(64 * DriverRules.pageSize(), grown.size());
                assertTrue(!first.isOpen(), "the outgrown region is closed");
                assertEquals(64 * DriverRules.pageSize(), regions.totalBytes());
            }
            try (RegionLease big = regions.acquire(1 << 20)) {
                assertEquals(1 << 20, regions.totalBytes(), "an idle region was closed to make room");
                assertEquals(1, regions.lentCount());
                big.region().write(0, new byte[] {1}, 0, 1);
            }
            assertThrows(IllegalArgumentException.class, () -> regions.acquire((1 << 20) + 1));
        }
    }

    @Test
    void acquireWaitsForRoomAndTimesOut() throws Exception {
        try (RegionManager regions = manager().maxTotalBytes(DriverRules.pageSize())
                .acquireTimeout(Duration.ofMillis(300)).build();
             RegionLease held = regions.acquire(1)) {
            RegionLimitException e = assertThrows(RegionLimitException.class, () -> regions.acquire(1));
            assertTrue(e.getMessage().contains("lent out"), e.getMessage());
            held.region().write(0, new byte[1], 0, 1);
        }
    }

    @Test
    void eightThreadsLoseNoDataAndCloseLeavesNothingBehind() throws Exception {
        ProcessResources before = ProcessResources.now();
        String mount = DEVICE.device().mountDir().toString();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        int threads = 8;
        List<Future<Integer>> results = new ArrayList<>();
        try (RegionManager regions = manager().maxTotalBytes(24L << 20).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                for (int t = 0; t < threads; t++) {
                    int seed = t;
                    results.add(pool.submit(() -> work(regions, seed, deadline)));
                }
                int transfers = 0;
                for (Future<Integer> f : results) {
                    transfers += f.get(60, TimeUnit.SECONDS);
                }
                assertTrue(transfers >= threads, "every thread completed transfers: " + transfers);
                assertEquals(0, regions.lentCount());
                assertTrue(regions.totalBytes() <= 24L << 20);
            } finally {
                pool.shutdownNow();
            }
        }
        ProcessResources after = ProcessResources.now();
        assertEquals(List.of(), after.mappingsOf(mount), "no mapping of the device is left");
        assertEquals(List.of(), after.descriptorsOpenedSince(before).stream().filter(d -> d.contains(mount)).toList(),
                "no descriptor of the device is left");
        assertTrue(DEVICE.device().status().contains("regions 0"), DEVICE.device().status());
    }

    /** Acquire, write, verify with the host, release, until the deadline; returns the transfers done. */
    private static int work(RegionManager regions, long seed, long deadline) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int done = 0;
        while (System.nanoTime() < deadline || done == 0) {
            int length = 1 + random.nextInt(3 << 20);
            byte[] data = new byte[length];
            random.nextBytes(data);
            try (RegionLease lease = regions.acquire(length)) {
                DmaRegion region = lease.region();
                try (RegionLock held = region.lock()) {
                    region.write(0, data, 0, length);
                }
                long host = HostChecksums.crc(region.pipe(), region.physicalAddress(), 0, length);
                assertEquals(HostChecksums.local(data, 0, length), host, "thread " + seed + ", transfer " + done);
            }
            done++;
        }
        return done;
    }
}
