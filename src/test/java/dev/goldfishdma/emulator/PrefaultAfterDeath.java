package dev.goldfishdma.emulator;

import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Run in a child JVM by the tests: creates a region, says {@code created} and waits for a line on standard
 * input (meanwhile the test kills the emulator), then maps the region and prefaults it as
 * {@code RegionOption.PREFAULT} does, and prints what madvise returned. A line that never comes is a
 * prefault that hangs.
 *
 * <p>Arguments: device path, region size.
 */
public final class PrefaultAfterDeath {
    private PrefaultAfterDeath() {
    }

    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args[1]);
        GuestPipe pipe = GuestPipe.open(Path.of(args[0]));
        if (pipe.createRegion(size) != 0) {
            System.out.println("CREATE_REGION failed");
            return;
        }
        System.out.println("created");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        MemorySegment mapping;
        try {
            mapping = pipe.map(size, MmapFlags.PROT_READ | MmapFlags.PROT_WRITE);
        } catch (ErrnoException e) {
            System.out.println("mmap: " + e.errnoName());
            return;
        }
        String result;
        try {
            Libc.madvise(mapping, size, MmapFlags.MADV_POPULATE_WRITE);
            result = "0";
        } catch (ErrnoException e) {
            result = e.errnoName();
        }
        System.out.println("MADV_POPULATE_WRITE after the emulator died: " + result);
    }
}
