/* The FUSE kernel protocol, for the device emulator. */
#include <linux/fuse.h>
