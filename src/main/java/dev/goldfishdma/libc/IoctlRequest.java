package dev.goldfishdma.libc;

/**
 * The Linux {@code _IOC} encoding of ioctl request numbers (asm-generic, shared by x86_64 and aarch64):
 * bits 0-7 the number, 8-15 the type, 16-29 the argument size, 30-31 the direction.
 */
public final class IoctlRequest {
    /** No data transfer. */
    public static final int IOC_NONE = 0;
    /** The kernel writes to user memory (userspace reads). */
    public static final int IOC_WRITE = 1;
    /** The kernel reads from user memory (userspace writes). */
    public static final int IOC_READ = 2;

    private static final int NR_BITS = 8;
    private static final int TYPE_BITS = 8;
    private static final int SIZE_BITS = 14;
    private static final int TYPE_SHIFT = NR_BITS;
    private static final int SIZE_SHIFT = TYPE_SHIFT + TYPE_BITS;
    private static final int DIR_SHIFT = SIZE_SHIFT + SIZE_BITS;

    private IoctlRequest() {
    }

    /** {@code _IOC(dir, type, nr, size)}, as an unsigned 32-bit value in a long. */
    public static long ioc(int dir, int type, int nr, long size) {
        if (dir < 0 || dir > 3 || type < 0 || type > 0xff || nr < 0 || nr > 0xff
                || size < 0 || size >= (1L << SIZE_BITS)) {
            throw new IllegalArgumentException("_IOC out of range: dir=" + dir + ", type=" + type + ", nr=" + nr
                    + ", size=" + size);
        }
        return ((long) dir << DIR_SHIFT) | ((long) type << TYPE_SHIFT) | nr | (size << SIZE_SHIFT);
    }

    /** {@code _IOWR(type, nr, size)}: the argument is copied in and back out. */
    public static long iowr(int type, int nr, long size) {
        return ioc(IOC_READ | IOC_WRITE, type, nr, size);
    }

    /** The direction bits of {@code request}. */
    public static int direction(long request) {
        return (int) (request >>> DIR_SHIFT) & 3;
    }

    /** The type byte of {@code request} (e.g. {@code 'G'}). */
    public static int type(long request) {
        return (int) (request >>> TYPE_SHIFT) & 0xff;
    }

    /** The number byte of {@code request}. */
    public static int number(long request) {
        return (int) request & 0xff;
    }

    /** The argument size encoded in {@code request}. */
    public static int size(long request) {
        return (int) (request >>> SIZE_SHIFT) & ((1 << SIZE_BITS) - 1);
    }

    /** E.g. {@code 0xc0104700 (_IOWR('G', 0, 16))}. */
    public static String describe(long request) {
        String hex = "0x" + Long.toHexString(request & 0xffffffffL);
        int dir = direction(request);
        String macro = switch (dir) {
            case IOC_NONE -> "_IO";
            case IOC_READ -> "_IOR";
            case IOC_WRITE -> "_IOW";
            default -> "_IOWR";
        };
        int type = type(request);
        String typeText = type >= 0x20 && type < 0x7f ? "'" + (char) type + "'" : "0x" + Integer.toHexString(type);
        return hex + " (" + macro + "(" + typeText + ", " + number(request)
                + (dir == IOC_NONE ? "" : ", " + size(request)) + "))";
    }
}
