package dev.goldfishdma.emulator;

import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;
import dev.goldfishdma.libc.OpenFlags;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Run in a child JVM by the tests: maps the device and touches a page no region backs, which the driver
 * would serve with garbage (or oops on) and the emulator answers with an error, i.e. SIGBUS. HotSpot turns
 * a SIGBUS in a memory-segment access into an {@link InternalError}; this prints what happened.
 *
 * <p>Arguments: device path, region size (0 for no CREATE_REGION), mapping size, offset to touch.
 */
public final class TouchOutsideRegion {
    private TouchOutsideRegion() {
    }

    public static void main(String[] args) throws Exception {
        GuestPipe pipe = GuestPipe.open(java.nio.file.Path.of(args[0]), OpenFlags.O_CLOEXEC);
        long regionSize = Long.parseLong(args[1]);
        long mapSize = Long.parseLong(args[2]);
        long touch = Long.parseLong(args[3]);
        if (regionSize > 0 && pipe.createRegion(regionSize) != 0) {
            System.out.println("CREATE_REGION failed");
            return;
        }
        MemorySegment mapping = pipe.map(mapSize, MmapFlags.PROT_READ | MmapFlags.PROT_WRITE);
        if (regionSize > 0) {
            mapping.set(JAVA_BYTE, 0, (byte) 1);
            System.out.println("inside the region: ok");
        }
        try {
            byte b = mapping.get(JAVA_BYTE, touch);
            System.out.println("outside the region: read " + b);
        } catch (InternalError e) {
            System.out.println("outside the region: fault (" + e.getMessage() + ")");
        }
        Libc.munmap(mapping, mapSize);
        pipe.close();
    }
}
