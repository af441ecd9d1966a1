package dev.goldfishdma.reliability;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.service.DmaServiceProtocol;
import dev.goldfishdma.testing.Capabilities;
import dev.goldfishdma.testing.ChildProcessDevice;
import dev.goldfishdma.testing.NativeMemory;
import dev.goldfishdma.testing.ProcessResources;
import dev.goldfishdma.testing.Reliability;
import org.junit.jupiter.api.Test;

import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Open, create, map, write, close, many times over: descriptors, mappings and native memory stay put. */
class LeakTest {

    @Test
    void tenThousandCyclesLeaveNothingBehind() throws Exception {
        Capabilities.require(NativeMemory.tracked(), "Native Memory Tracking is off (-XX:NativeMemoryTracking)");
        int cycles = Reliability.scale(10_000, 100_000);
        try (ChildProcessDevice device = ChildProcessDevice.start()) {
            String mount = device.mountDir().toString();
            cycle(device, 200);     // warm up: class loading, JIT, thread-local capture segments
            System.gc();
            ProcessResources before = ProcessResources.now();
            long otherBefore = NativeMemory.otherCommittedKb();

            long start = System.nanoTime();
            cycle(device, cycles);
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;

            System.gc();
            ProcessResources after = ProcessResources.now();
            long otherAfter = NativeMemory.otherCommittedKb();
            List<String> fds = after.descriptorsOpenedSince(before).stream().filter(d -> d.contains(mount)).toList();
            assertEquals(List.of(), fds, "descriptors of the device left open");
            assertEquals(List.of(), after.mappingsOf(mount), "mappings of the device left behind");
            assertEquals(before.descriptors().size(), after.descriptors().size(),
                    "open descriptors: " + after.descriptorsOpenedSince(before));
            // Allow the JVM's own churn in "Other", far below what one leaked region per cycle would be.
            assertTrue(otherAfter - otherBefore < 1024, "NMT Other grew from " + otherBefore + " KB to "
                    + otherAfter + " KB");
            assertTrue(device.status().contains("pipes 0") && device.status().contains("regions 0"), device.status());
            Reliability.report("leaks", cycles + " open/create/map/write/close cycles in " + seconds
                    + " s; descriptors " + before.descriptors().size() + " -> " + after.descriptors().size()
                    + ", device mappings 0 -> " + after.mappingsOf(mount).size() + ", NMT Other committed "
                    + otherBefore + " KB -> " + otherAfter + " KB");
        }
    }

    private static void cycle(ChildProcessDevice device, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            try (GoldfishPipe pipe = GoldfishPipe.open(device.path(), DmaServiceProtocol.SERVICE_NAME);
                 DmaRegion region = pipe.createRegion(DriverRules.pageSize())) {
                region.segment().set(JAVA_LONG, 0, i);
                region.segment().set(JAVA_LONG, DriverRules.pageSize() - 8, ~i);
            }
        }
    }
}
