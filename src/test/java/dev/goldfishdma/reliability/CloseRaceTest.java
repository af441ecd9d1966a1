package dev.goldfishdma.reliability;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.device.RegionLock;
import dev.goldfishdma.testing.ChildProcessDevice;
import dev.goldfishdma.testing.Reliability;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a pipe or its region while other threads copy into the region, lock it and use the pipe: those
 * threads get the documented exceptions, never a crash, a hang or a stray error.
 */
class CloseRaceTest {

    @Test
    void closeRacingWithCopiesLocksAndPipeIoIsAnExceptionNeverACrash() throws Exception {
        int rounds = Reliability.scale(200, 2_000);
        Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        try (ChildProcessDevice device = ChildProcessDevice.start()) {
            SplittableRandom random = new SplittableRandom(11);
            for (int round = 0; round < rounds; round++) {
                GoldfishPipe pipe = GoldfishPipe.open(device.path(), "echo");
                DmaRegion region = pipe.createRegion(1 << 20);
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> workers = List.of(
                        worker(go, outcomes, unexpected, () -> copyLoop(region)),
                        worker(go, outcomes, unexpected, () -> lockLoop(region)),
                        worker(go, outcomes, unexpected, () -> echoLoop(pipe)));
                long delayNanos = random.nextLong(2_000_000);
                boolean closeRegionFirst = random.nextBoolean();
                go.countDown();
                Thread.sleep(delayNanos / 1_000_000, (int) (delayNanos % 1_000_000));
                if (closeRegionFirst) {
                    region.close();
                }
                pipe.close();
                for (Thread t : workers) {
                    t.join(10_000);
                    assertTrue(!t.isAlive(), "a worker hung after close in round " + round);
                }
            }
            assertEquals(List.of(), unexpected, "only documented exceptions");
            assertTrue(device.status().contains("regions 0"), device.status());
        }
        Reliability.report("close races", rounds + " rounds of close against 3 busy threads; outcomes " + outcomes);
    }

    private interface Loop {
        void run() throws Exception;
    }

    private static Thread worker(CountDownLatch go, Map<String, AtomicLong> outcomes, List<Throwable> unexpected,
                                 Loop loop) {
        return Thread.ofPlatform().start(() -> {
            try {
                go.await();
                loop.run();
                outcomes.computeIfAbsent("finished", k -> new AtomicLong()).incrementAndGet();
            } catch (IllegalStateException | ClosedChannelException e) {
                outcomes.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
            } catch (Throwable t) {
                unexpected.add(t);
            }
        });
    }

    private static void copyLoop(DmaRegion region) {
        byte[] data = new byte[64 * 1024];
        for (long i = 0; ; i++) {
            region.write((i * 4096) % (region.size() - data.length), data, 0, data.length);
        }
    }

    private static void lockLoop(DmaRegion region) throws Exception {
        while (true) {
            try (RegionLock held = region.lock()) {
                held.region().physicalAddress();
            }
        }
    }

    private static void echoLoop(GoldfishPipe pipe) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(512);
            while (true) {
                pipe.write(buffer);
                pipe.readFully(buffer);
            }
        }
    }
}
