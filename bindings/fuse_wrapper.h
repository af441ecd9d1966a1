/*
 * The FUSE kernel protocol, for the device emulator. <linux/fuse.h> uses _IOR/_IOW for its
 * FUSE_DEV_IOC_* requests without including <linux/ioctl.h>; including it first lets jextract
 * evaluate them to constants.
 */
#include <linux/ioctl.h>
#include <linux/fuse.h>
