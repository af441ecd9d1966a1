package dev.goldfishdma.reliability;

import dev.goldfishdma.device.DmaRegion;
import dev.goldfishdma.device.DriverRules;
import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.testing.ChildProcessDevice;
import dev.goldfishdma.testing.ProcessResources;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The safety net: a pipe and region that are never closed are closed once unreachable, with a warning. */
class LeakedHandleTest {

    @Test
    void anUnclosedPipeAndRegionAreReleasedWhenUnreachableWithAWarning() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger pipeLog = Logger.getLogger(GoldfishPipe.class.getName());
        Logger regionLog = Logger.getLogger(DmaRegion.class.getName());
        pipeLog.addHandler(capture);
        regionLog.addHandler(capture);
        try (ChildProcessDevice device = ChildProcessDevice.start()) {
            String mount = device.mountDir().toString();
            WeakReference<GoldfishPipe> leaked = leak(device);
            assertEquals(1, ProcessResources.now().mappingsOf(mount).size(), "the leaked region is mapped");

            for (int i = 0; i < 100 && (leaked.get() != null || !warnings.stream().anyMatch(w -> w.contains("pipe"))
                    || !ProcessResources.now().mappingsOf(mount).isEmpty()); i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertEquals(List.of(), ProcessResources.now().mappingsOf(mount), "the leaked region was unmapped");
            assertTrue(ProcessResources.now().descriptors().stream().noneMatch(d -> d.contains(mount)),
                    "the leaked pipe's descriptor was closed");
            assertTrue(warnings.stream().anyMatch(w -> w.contains("was not closed")), "warnings: " + warnings);
            for (int i = 0; i < 100 && !device.status().contains("regions 0"); i++) {
                Thread.sleep(20);
            }
            assertTrue(device.status().contains("regions 0"), device.status());
        } finally {
            pipeLog.removeHandler(capture);
            regionLog.removeHandler(capture);
        }
    }

    /** Opens a pipe and a region, uses them, and drops them without closing. */
    private static WeakReference<GoldfishPipe> leak(ChildProcessDevice device) throws Exception {
        GoldfishPipe pipe = GoldfishPipe.open(device.path(), "dma");
        DmaRegion region = pipe.createRegion(DriverRules.pageSize());
        region.segment().set(JAVA_LONG, 0, 1);
        return new WeakReference<>(pipe);
    }
}
