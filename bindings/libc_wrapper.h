/*
 * The C library constants and structs the libc layer and the emulator use, taken from the
 * system headers rather than typed by hand. _GNU_SOURCE exposes MAP_POPULATE and MFD_CLOEXEC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
