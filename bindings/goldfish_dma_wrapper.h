/*
 * goldfish_dma.h uses _IOWR without including <linux/ioctl.h> (the kernel build provides it).
 * Including it first lets jextract evaluate the GOLDFISH_DMA_IOC_* macros to constants.
 */
#include <linux/ioctl.h>
#include "goldfish_dma.h"
