/*
 * The C library constants and structs the libc layer and the emulator use, taken from the
 * system headers rather than typed by hand. _GNU_SOURCE exposes MAP_POPULATE, MFD_CLOEXEC and
 * MSG_CMSG_CLOEXEC. <linux/magic.h> holds the file system magic numbers that fstatfs(2) reports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <linux/magic.h>
