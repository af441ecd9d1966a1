package dev.goldfishdma.emulator.model;

import dev.goldfishdma.libc.Errno;

import java.util.HashMap;
import java.util.Map;

/**
 * What the users of one device hold against its {@link RegionLimits}: open pipes, and region bytes by uid
 * and in all. Taken when a pipe opens or a region is created, given back when the pipe is released.
 */
final class ResourceAccounting {
    private final RegionLimits limits;
    private int pipes;
    private long regionBytes;
    private final Map<Long, Long> regionBytesByUid = new HashMap<>();

    ResourceAccounting(RegionLimits limits) {
        this.limits = limits;
    }

    /** Takes one pipe: 0, or ENFILE when {@link RegionLimits#maxPipes()} are open. */
    synchronized int takePipe() {
        if (pipes >= limits.maxPipes()) {
            return Errno.ENFILE;
        }
        pipes++;
        return 0;
    }

    synchronized void givePipe() {
        pipes--;
    }

    /** Takes {@code size} region bytes for {@code uid}: 0, or ENOMEM past either byte limit. */
    synchronized int takeRegion(long uid, long size) {
        long held = regionBytesByUid.getOrDefault(uid, 0L);
        if (size > limits.maxRegionBytesPerUser() - held || size > limits.maxRegionBytes() - regionBytes) {
            return Errno.ENOMEM;
        }
        regionBytesByUid.put(uid, held + size);
        regionBytes += size;
        return 0;
    }

    synchronized void giveRegion(long uid, long size) {
        regionBytesByUid.computeIfPresent(uid, (u, held) -> held - size <= 0 ? null : held - size);
        regionBytes -= size;
    }

    /** The status file's {@code limits} line. */
    synchronized String describe() {
        return "limits pipes " + pipes + "/" + limits.maxPipes() + " region-bytes " + regionBytes + "/"
                + limits.maxRegionBytes() + " per-user " + limits.maxRegionBytesPerUser();
    }
}
