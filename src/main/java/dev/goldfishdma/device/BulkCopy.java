package dev.goldfishdma.device;

import dev.goldfishdma.libc.Libc;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The region's bulk copies. Between native segments each is made with the faster of two primitives for its
 * length: the JDK's {@link MemorySegment#copy} or the C library's {@link Libc#memmove} (a critical downcall);
 * heap memory always takes the JDK's copy. Both primitives do the same checks and throw the same exceptions,
 * and neither allocates once C2 has compiled the caller.
 *
 * <p>Why the C library between {@value #LIBC_FROM} and {@value #LIBC_BELOW} bytes, and only there (measured
 * by {@code TransferBenchmark}'s baselines, moving a 32 MiB region in chunks of 4 KiB to 32 MiB, on an AMD
 * EPYC of the Zen 5 family with glibc 2.36): in that range glibc copies with {@code rep movsb} (from its
 * {@code rep_movsb_threshold}, 2 KiB here, up to its {@code rep_movsb_stop_threshold}, the 1 MiB L2 cache),
 * which moved the data 7 to 15% faster (29 to 32 GiB/s) than the JDK's vector loop (26 to 28 GiB/s).
 * Below 32 KiB the downcall's fixed cost eats the gain: at 4 KiB the JDK copies 25 GiB/s, the downcall
 * 20. From 1 MiB glibc switches to a vector loop of its own, which was no faster than the JDK's (25.5
 * against 28 GiB/s at 4 MiB); measured again with four forks each at 1, 2 and 4 MiB between native
 * segments, neither primitive was ahead in both directions, with forks of one copy differing by up to 58%,
 * so the cap stays at the L2 cache's size. The cap also bounds how long a critical call keeps the thread
 * from a safepoint, about 40 µs. Other C libraries and architectures were not measured, so they keep the
 * JDK's copy throughout.
 *
 * <p>Why only between native segments: a downcall on part of a Java array or heap segment needs a segment
 * made per call over that part, which only C2's escape analysis removes, and in some benchmark forks it did
 * not (72 bytes a call, in one of three forks of a heap read in each of two runs). The JDK's copy takes the
 * array itself, so heap memory allocates nothing for certain. The price is glibc's speed-up in that range:
 * heap writes at 256 KiB ran at 0.68x to 0.71x of {@code memcpy} in the run of 2026-12-07 06:11 UTC, and at
 * 0.82x to 0.83x in the run of 08:44 (where {@code MemorySegment.copy} itself reached 0.78x of it).
 */
final class BulkCopy {
    /** The shortest copy handed to the C library. */
    static final long LIBC_FROM = 32 * 1024;
    /** The first length copied by the JDK again. */
    static final long LIBC_BELOW = 1024 * 1024;
    /** Where the thresholds were measured: glibc on x86-64. A constant, so the JIT folds the choice away. */
    static final boolean LIBC_MEASURED = Libc.GLIBC && "amd64".equals(System.getProperty("os.arch"));

    private BulkCopy() {
    }

    /** Whether a copy of {@code length} bytes goes through the C library. */
    static boolean viaLibc(long length) {
        return LIBC_MEASURED && length >= LIBC_FROM && length < LIBC_BELOW;
    }

    /**
     * {@code length} bytes of {@code src} from {@code srcOffset} to {@code dst} at {@code dstOffset}; may
     * overlap. Heap segments take the JDK's copy whatever the length (see the class's documentation).
     */
    static void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length) {
        if (viaLibc(length) && src.isNative() && dst.isNative()) {
            Libc.memmove(dst.asSlice(dstOffset, length), src.asSlice(srcOffset, length));
        } else {
            MemorySegment.copy(src, srcOffset, dst, dstOffset, length);
        }
    }

    /** {@code length} bytes of {@code src} from {@code srcOffset} to {@code dst} at {@code dstOffset}: the JDK's copy. */
    static void fromArray(byte[] src, int srcOffset, MemorySegment dst, long dstOffset, int length) {
        MemorySegment.copy(src, srcOffset, dst, JAVA_BYTE, dstOffset, length);
    }

    /** {@code length} bytes of {@code src} from {@code srcOffset} to {@code dst} at {@code dstOffset}: the JDK's copy. */
    static void toArray(MemorySegment src, long srcOffset, byte[] dst, int dstOffset, int length) {
        MemorySegment.copy(src, JAVA_BYTE, srcOffset, dst, dstOffset, length);
    }
}
