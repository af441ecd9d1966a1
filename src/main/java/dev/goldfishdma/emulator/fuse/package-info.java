/**
 * The emulator's FUSE transport: it serves the device model ({@link dev.goldfishdma.emulator.model}) as
 * files on a mounted directory, speaking the FUSE protocol on {@code /dev/fuse} directly (no libfuse, no C;
 * the protocol's structures are the generated bindings in {@code dev.goldfishdma.emulator.fuse.gen}, used from here
 * alone).
 *
 * <h2>Pieces, in the order a request meets them</h2>
 * <ul>
 * <li>{@link dev.goldfishdma.emulator.fuse.FuseServer}: mounts, answers INIT ({@code FuseInit}) and settles
 *     the memory model, then reads requests on one thread and hands each to the dispatcher; the public face
 *     of the transport.</li>
 * <li>{@code FuseConnection}: the descriptor of {@code /dev/fuse}: requests in (counted, see
 *     {@code HostWriteLog}), replies and notifications out, the backing-file ioctls, the connection's
 *     limits.</li>
 * <li>{@code FuseDispatcher}: how a request is dispatched: the opcodes, each written once with whether the
 *     kernel waits for an answer and its handler, and the request boundary where the handler's
 *     {@code FuseReply} becomes exactly one reply. Handlers never write replies themselves; a reply given
 *     later (a parked read, a CREATE_REGION that first grows the device file) is written by whoever
 *     completes it.</li>
 * <li>The handlers: {@link dev.goldfishdma.emulator.fuse.NodeNamespace} (names, nodes and attributes; one
 *     inode per open of the device), {@code OpenFiles} (OPEN, READ, WRITE, IOCTL, POLL, RELEASE on the
 *     device and status files: pipe I/O and ioctls go to the model, page faults and writeback to the memory
 *     model), {@code Interrupts} with {@code ParkedRead} and {@code ParkedWrite} (FUSE_INTERRUPT of reads
 *     and writes parked on a pipe), the
 *     memory model (the kernel's answers to retrieves).</li>
 * <li>The memory model, {@code RegionSharing}: how each region's memory, its pipe's
 *     {@link dev.goldfishdma.emulator.model.RegionFile}, reaches the guest's mapping, and the host's
 *     {@link dev.goldfishdma.emulator.service.RegionMemory}. One of two, by
 *     {@link dev.goldfishdma.emulator.fuse.FuseServer.Passthrough} (the emulator's memory mode,
 *     {@link dev.goldfishdma.emulator.MemoryMode}, translated): {@code PassthroughMemory} (the kernel maps
 *     the region's file into the guest: FUSE passthrough, Linux 6.9+, CAP_SYS_ADMIN in the initial user
 *     namespace, i.e. root: an ordinary user's emulator never has it), or
 *     {@code PageCacheMemory} (the guest maps the device file's page cache, filled from and written back to
 *     the region's file; the host reaches it with FUSE_NOTIFY_RETRIEVE and FUSE_NOTIFY_STORE), the fallback,
 *     with {@code HostWriteLog} against writeback undoing host writes.</li>
 * <li>{@link dev.goldfishdma.emulator.fuse.FuseMount}: mounting and unmounting, with {@code mount(2)} where
 *     this process may (root, or root of a user namespace) and through the setuid {@code fusermount3} for an
 *     ordinary user, both with the same access options ({@link dev.goldfishdma.emulator.fuse.MountSettings}:
 *     {@code default_permissions} always, {@code allow_other} only when asked); the mount table and the dead
 *     mounts of killed servers; and
 *     {@link dev.goldfishdma.emulator.fuse.FuseUnavailableException} when FUSE cannot be mounted here at
 *     all.</li>
 * </ul>
 * The FUSE behaviour the emulation relies on is documented, with the kernel sources that show it, where it
 * is used: {@code FuseInit} (what INIT grants), {@code NodeNamespace} (inodes, sizes), {@code OpenFiles}
 * (telling pipe I/O from the mapping, ioctl), {@code PassthroughMemory} (backing files, what passthrough
 * allows), {@code PageCacheMemory} (faults, writeback, retrieve, store, the device file's size) and
 * {@code HostWriteLog} (the writeback race).
 *
 * <h2>A C client written for the driver</h2>
 * AOSP goldfish-opengl's {@code goldfish_dma.cpp} works unchanged against the emulator once it opens the
 * emulator's device file (a symlink or bind mount of {@code /dev/goldfish_pipe} to it will do):
 * <ol>
 * <li>{@code goldfish_dma_create_region}: {@code open(O_RDWR)} (with passthrough, OPEN registers the pipe's
 *     region file with the kernel), then {@code write("pipe:opengles\0")}: a direct-I/O WRITE with
 *     FUSE_WRITE_LOCKOWNER, taken as the connect string; {@code opengles} is served (it discards), so the
 *     pipe stays open. Then {@code ioctl(CREATE_REGION, &info)}: the kernel decodes
 *     {@code _IOWR('G', 3, 16)} and hands the 16 bytes to the server, which sizes the region's file and
 *     gives it its physical address; nothing is copied back, as with the driver.</li>
 * <li>{@code goldfish_dma_map}: {@code mmap(0, sz, PROT_WRITE, MAP_SHARED, fd, 0)}. With passthrough the
 *     kernel maps the region's file itself, and the server hears nothing. With the page cache, INIT's
 *     FUSE_DIRECT_IO_ALLOW_MMAP allows the shared mapping of a direct-I/O file; a PROT_WRITE-only shared
 *     mapping is still filled through the page cache, so each first write to a page faults and the kernel
 *     first reads the page from the server (a READ without the lock-owner flag).</li>
 * <li>{@code goldfish_dma_write}: a bare memcpy into the mapping: page faults, then plain memory
 *     writes.</li>
 * <li>{@code goldfish_dma_guest_paddr}: {@code ioctl(GETOFF)} returns the address, which the host side (the
 *     {@code dma} service, or any {@link dev.goldfishdma.emulator.service.HostService} through
 *     {@link dev.goldfishdma.emulator.service.RegionMemory}) resolves to the live bytes without any
 *     msync.</li>
 * <li>{@code goldfish_dma_unmap} and {@code goldfish_dma_free}: munmap (with the page cache, the kernel
 *     writes dirty pages back) and close; the kernel then sends RELEASE and the region is freed.</li>
 * </ol>
 * The test {@code aClientWrittenForTheDriverWorksUnchanged} does exactly these calls from Java.
 */
package dev.goldfishdma.emulator.fuse;
