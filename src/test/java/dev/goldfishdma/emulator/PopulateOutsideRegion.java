package dev.goldfishdma.emulator;

import dev.goldfishdma.libc.ErrnoException;
import dev.goldfishdma.libc.Libc;
import dev.goldfishdma.libc.MmapFlags;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Run in a child JVM by the tests, because a kernel that loops on a fault cannot be stopped but by killing
 * the process: asks the kernel to fault in (MAP_POPULATE, MADV_POPULATE_WRITE) or lock (mlock) pages of the
 * device's mapping that no region backs, past the region or before CREATE_REGION, and prints what each
 * call returned, one line per call. A line that never comes is a call that hangs.
 *
 * <p>Arguments: device path, region size.
 */
public final class PopulateOutsideRegion {
    private static final int RW = MmapFlags.PROT_READ | MmapFlags.PROT_WRITE;

    private PopulateOutsideRegion() {
    }

    public static void main(String[] args) throws Exception {
        Path device = Path.of(args[0]);
        long region = Long.parseLong(args[1]);
        try (GuestPipe pipe = GuestPipe.connect(device, "echo")) {
            // A pipe write larger than a page, before any region: the kernel's size of the device file grows
            // with it (page cache), which must not make the pages below it reachable.
            pipe.write(new byte[(int) (3 * Libc.PAGE_SIZE)]);
            pipe.readExactly((int) (3 * Libc.PAGE_SIZE));
            probe(pipe, "before CREATE_REGION", region);
            if (pipe.createRegion(region) != 0) {
                System.out.println("CREATE_REGION failed");
                return;
            }
            probe(pipe, "past the region", 2 * region);
            MemorySegment inside = pipe.map(region, RW);
            Libc.madvise(inside, region, MmapFlags.MADV_POPULATE_WRITE);
            Libc.mlock(inside, region);
            Libc.munlock(inside, region);
            System.out.println("inside the region: populated and locked");
            GuestPipe.unmap(inside);
        }
        System.out.println("done");
    }

    private static void probe(GuestPipe pipe, String where, long length) throws ErrnoException {
        MemorySegment populated = Libc.mmap(length, RW, MmapFlags.MAP_SHARED | MmapFlags.MAP_POPULATE, pipe.fd, 0);
        Libc.munmap(populated, length);
        System.out.println("MAP_POPULATE " + where + ": returned");

        MemorySegment mapping = pipe.map(length, RW);
        System.out.println("MADV_POPULATE_WRITE " + where + ": "
                + outcome(() -> Libc.madvise(mapping, length, MmapFlags.MADV_POPULATE_WRITE)));
        System.out.println("mlock " + where + ": " + outcome(() -> Libc.mlock(mapping, length)));
        Libc.munlock(mapping, length); // a failed mlock leaves the range marked locked
        GuestPipe.unmap(mapping);
    }

    private interface Call {
        void run() throws ErrnoException;
    }

    private static String outcome(Call call) {
        try {
            call.run();
            return "0";
        } catch (ErrnoException e) {
            return e.errnoName();
        }
    }
}
