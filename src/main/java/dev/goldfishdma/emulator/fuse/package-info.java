/**
 * The emulator's FUSE transport: it serves the device model ({@link dev.goldfishdma.emulator.model}) as
 * files on a mounted directory, speaking the FUSE protocol on {@code /dev/fuse} directly (no libfuse, no C;
 * the protocol's structures are the generated bindings in {@code dev.goldfishdma.emulator.fuse.gen}, used from here
 * alone).
 *
 * <h2>Pieces, in the order a request meets them</h2>
 * <ul>
 * <li>{@link dev.goldfishdma.emulator.fuse.FuseServer}: mounts, reads requests on one thread and hands each
 *     to the dispatcher; the public face of the transport.</li>
 * <li>{@code FuseConnection}: the descriptor of {@code /dev/fuse}: requests in, replies and notifications
 *     out, the connection's limits.</li>
 * <li>{@code FuseDispatcher}: how a request is dispatched: the opcodes, each written once with whether the
 *     kernel waits for an answer and its handler, and the request boundary where the handler's
 *     {@code FuseReply} becomes exactly one reply. Handlers never write replies themselves; a reply given
 *     later (a parked read) is written by whoever completes it.</li>
 * <li>The handlers: {@code FuseInit} (INIT), {@link dev.goldfishdma.emulator.fuse.NodeNamespace} (names,
 *     nodes and attributes; one inode per open of the device), {@code OpenFiles} (OPEN, READ, WRITE, IOCTL,
 *     POLL, RELEASE on the device and status files: pipe I/O and ioctls go to the model, page faults and
 *     writeback to the memory), {@code Interrupts} with {@code ParkedRead} (FUSE_INTERRUPT of reads parked
 *     on a pipe), {@code PageCacheMemory} (the kernel's answers to retrieves).</li>
 * <li>{@code PageCacheMemory}: region memory as the kernel's page cache of the device inode: page faults,
 *     writeback, and the host's {@link dev.goldfishdma.emulator.service.RegionMemory} through
 *     FUSE_NOTIFY_RETRIEVE and FUSE_NOTIFY_STORE.</li>
 * <li>{@link dev.goldfishdma.emulator.fuse.FuseMount}: mounting and unmounting, with {@code mount(2)} where
 *     this process may (root, or root of a user namespace) and through the setuid {@code fusermount3} for an
 *     ordinary user; the mount table and the dead mounts of killed servers; and
 *     {@link dev.goldfishdma.emulator.fuse.FuseUnavailableException} when FUSE cannot be mounted here at
 *     all.</li>
 * </ul>
 * The FUSE behaviour the emulation relies on is documented, with the kernel sources that show it, where it
 * is used: {@code NodeNamespace} (inodes, sizes), {@code OpenFiles} (telling pipe I/O from the mapping,
 * ioctl), {@code PageCacheMemory} (faults, writeback, retrieve, store).
 *
 * <h2>A C client written for the driver</h2>
 * AOSP goldfish-opengl's {@code goldfish_dma.cpp} works unchanged against the emulator once it opens the
 * emulator's device file (a symlink or bind mount of {@code /dev/goldfish_pipe} to it will do):
 * <ol>
 * <li>{@code goldfish_dma_create_region}: {@code open(O_RDWR)}, then {@code write("pipe:opengles\0")}: a
 *     direct-I/O WRITE with FUSE_WRITE_LOCKOWNER, taken as the connect string; {@code opengles} is served
 *     (it discards), so the pipe stays open. Then {@code ioctl(CREATE_REGION, &info)}: the kernel decodes
 *     {@code _IOWR('G', 3, 16)} and hands the 16 bytes to the server, which records the size; nothing is
 *     copied back, as with the driver.</li>
 * <li>{@code goldfish_dma_map}: {@code mmap(0, sz, PROT_WRITE, MAP_SHARED, fd, 0)}: allowed because INIT
 *     granted FUSE_DIRECT_IO_ALLOW_MMAP; a PROT_WRITE-only shared mapping is still filled through the page
 *     cache, so each first write to a page faults and the kernel first reads the page from the server (a
 *     READ without the lock-owner flag). The first such READ allocates the region and assigns its physical
 *     address.</li>
 * <li>{@code goldfish_dma_write}: a bare memcpy into the mapping: page faults, then plain memory
 *     writes.</li>
 * <li>{@code goldfish_dma_guest_paddr}: {@code ioctl(GETOFF)} after the memcpy returns the address, which
 *     the host side (the {@code dma} service, or any {@link dev.goldfishdma.emulator.service.HostService}
 *     through {@link dev.goldfishdma.emulator.service.RegionMemory}) resolves to the live bytes without any
 *     msync.</li>
 * <li>{@code goldfish_dma_unmap} and {@code goldfish_dma_free}: munmap (the kernel writes dirty pages back)
 *     and close; the kernel then sends RELEASE and the region is freed.</li>
 * </ol>
 * The test {@code aClientWrittenForTheDriverWorksUnchanged} does exactly these calls from Java.
 */
package dev.goldfishdma.emulator.fuse;
