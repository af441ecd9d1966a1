package dev.goldfishdma.device;

/**
 * One step of a {@link DeviceProbe} and what the device answered.
 *
 * @param kind         which step
 * @param detail       what was done, for people: e.g. {@code "fd 7"}, the connect string, the region size, the
 *                     ioctl request
 * @param errno        0 if the call succeeded, else its {@code errno}
 * @param errnoName    the symbolic name of {@code errno} (e.g. {@code "EBUSY"}); null if it succeeded
 * @param regionInfo   what {@code GETOFF} reported, for the GETOFF steps; null for the others
 * @param driverAnswer what the driver answers in this step, for comparison (e.g. {@code "EBUSY"},
 *                     {@code "{0, 65536}"}); null where there is nothing to compare
 * @param asDriver     whether the device answered as the driver does; true where there is nothing to compare
 */
public record ProbeStep(Kind kind, String detail, int errno, String errnoName, RegionInfo regionInfo,
                        String driverAnswer, boolean asDriver) {

    /** The steps, in the order a probe runs them. */
    public enum Kind {
        /** Open the device read-write. */
        OPEN,
        /** GETOFF on a fresh pipe; the driver answers {@code {0, 0}}. */
        GETOFF_BEFORE_REGION,
        /** Connect to a host service, writing {@code "pipe:<service>\0"}. */
        CONNECT,
        /** CREATE_REGION of the size asked. */
        CREATE_REGION,
        /** CREATE_REGION a second time on the same pipe; the driver answers {@code EBUSY}. */
        CREATE_REGION_AGAIN,
        /** GETOFF after CREATE_REGION, before any mmap; the driver answers {@code {0, size}}. */
        GETOFF_BEFORE_MMAP,
        /** Map the region, shared and read-write. */
        MMAP,
        /** GETOFF after mmap; the driver has allocated the memory and answers its physical address. */
        GETOFF_AFTER_MMAP,
        /** Write one byte of the mapping; only when GETOFF after mmap reported no address yet. */
        TOUCH,
        /** GETOFF after that first write. */
        GETOFF_AFTER_TOUCH,
        /** LOCK; the driver answers 0. */
        LOCK,
        /** UNLOCK; the driver answers 0. */
        UNLOCK,
        /** An ioctl request of the goldfish type that the driver does not know; it answers {@code ENOTTY}. */
        UNKNOWN_IOCTL
    }

    /** {@return whether the step's call succeeded} */
    public boolean succeeded() {
        return errno == 0;
    }
}
