/**
 * The goldfish pipe device as the emulator models it: pipes, DMA regions and the DMA ioctls, with the
 * driver's rules and answers, and nothing of how requests reach it (no FUSE type is used here).
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link dev.goldfishdma.emulator.model.GoldfishDevice}: the open pipes, the services they connect to,
 *     and the status text.</li>
 * <li>{@link dev.goldfishdma.emulator.model.EmulatedPipe}: one open (the connect string, bytes queued for
 *     the guest, parked reads and writes, poll readiness, host close); it is the
 *     {@link dev.goldfishdma.emulator.service.HostEnd} its service answers through.</li>
 * <li>{@link dev.goldfishdma.emulator.model.DmaIoctls}: what LOCK, UNLOCK, GETOFF and CREATE_REGION do.</li>
 * <li>{@link dev.goldfishdma.emulator.model.PipeLimits}: the bytes a pipe queues for the guest; past them a
 *     guest's write is parked until the guest reads ({@link dev.goldfishdma.emulator.model.WriteCompletion}),
 *     or refused with EAGAIN under O_NONBLOCK, as with a real pipe.</li>
 * <li>{@link dev.goldfishdma.emulator.model.RegionLimits}: how many pipes and region bytes (per uid and in
 *     all) the device gives; past them an open fails with ENFILE, a CREATE_REGION with ENOMEM. Every pipe
 *     belongs to the uid that opened it, and so does its region; a pipe's service reaches only that uid's
 *     regions.</li>
 * <li>{@link dev.goldfishdma.emulator.model.EmulatedRegion} and
 *     {@link dev.goldfishdma.emulator.model.RegionTable}: the regions and their physical addresses, found
 *     only by their owner's uid; the size
 *     rule is {@link dev.goldfishdma.device.DriverRules}'s. {@link dev.goldfishdma.emulator.model.RegionFile}:
 *     a region's memory, an anonymous file (memfd) per pipe (per inode: see the differences), empty until
 *     CREATE_REGION, mapped by the emulator; the transport decides how the guest's mapping reaches it.</li>
 * </ul>
 * Calls answer with values, errnos or small results ({@link dev.goldfishdma.emulator.model.PipeRead},
 * {@link dev.goldfishdma.emulator.model.IoctlResult}). What completes later goes through interfaces that
 * whoever serves the device implements: {@link dev.goldfishdma.emulator.model.ReadCompletion} for a parked
 * read, {@link dev.goldfishdma.emulator.model.PollWaiter} for a poll wake-up. The transport that serves it
 * today is {@code dev.goldfishdma.emulator.fuse}.
 *
 * <h2>Where the emulated device differs from the driver</h2>
 * The driver is {@code goldfish_pipe_v2.c} (android-goldfish 4.x kernels; later {@code goldfish_pipe.c} in AOSP
 * {@code kernel/common-modules/virtual-device}). Everything not listed here
 * behaves as the driver does: one pipe per open, the connect string, EAGAIN under O_NONBLOCK, parked
 * blocking reads, 0 for zero-length I/O, EIO after the host closed the pipe, POLLERR then, the four DMA
 * ioctls with their errors (EINVAL, EBUSY, ENOTTY, and EFAULT for a bad pointer, which the kernel's FUSE
 * layer detects while copying the 16 bytes in or out). Most differences come from serving the device over
 * FUSE, and some depend on the memory model the transport settled on (passthrough, or the page cache: see
 * {@code dev.goldfishdma.emulator.MemoryMode}); the rest are choices of this model.
 * <ol>
 * <li><b>The region's memory exists from CREATE_REGION on; its physical address comes at a GETOFF made
 *     under a mapping.</b> The driver allocates both at the first mmap. A FUSE server is told neither of
 *     mmap nor (with passthrough) of any touch, so the memory is set up when the region is created (an
 *     anonymous file, {@link RegionFile}, whose pages are committed as they are first touched), and GETOFF
 *     gives the region its address when the calling process has it mapped, which the emulator reads in
 *     {@code /proc/<pid>/maps}; before that it answers {@code {0, size}}, as the driver does before mmap.
 *     Clients that map, then ask for the address (as goldfish-opengl and this project's library do) see no
 *     difference. Two cases do: a region mapped and unmapped again before any GETOFF, and a GETOFF from a
 *     process that has not mapped the region (given the descriptor) before one from a process that has,
 *     answer {@code {0, size}} where the driver gives the address.</li>
 * <li><b>A pipe reopened through {@code /proc/self/fd/N} shares the region's memory.</b> Such an open is a
 *     pipe of its own, as with the driver, but on the same inode as the pipe it was reopened from, and the
 *     kernel maps an inode through one file: the pipes share their {@link RegionFile}, so only the first of
 *     them to create a region can (the others' CREATE_REGION is EBUSY, where the driver gives each its own),
 *     and a mapping through any of them is that region's memory (with the driver, each pipe maps only a
 *     region of its own).</li>
 * <li><b>mmap checks nothing; a touch outside the region is SIGBUS.</b> The driver refuses a mapping
 *     length that breaks the size rule (EINVAL); here mmap succeeds. Touching the mapping past the region,
 *     or before CREATE_REGION, is SIGBUS (HotSpot turns it into an {@code InternalError} for a
 *     memory-segment access), where the driver maps memory past its allocation or dereferences NULL in the
 *     kernel. So are populating requests: MAP_POPULATE past the region returns having populated what is
 *     there, MADV_POPULATE_WRITE fails with EFAULT and mlock with ENOMEM. Memory the kernel cannot supply
 *     at a touch is SIGBUS too (ENOMEM at mmap in the driver); CREATE_REGION fails with ENOMEM when the
 *     emulator cannot even map the region.</li>
 * <li><b>The mmap offset selects the part of the region.</b> The driver ignores the offset and always maps
 *     the region from its start; here file offset {@code x} is region offset {@code x}. Offset 0, as every
 *     known client uses, is the same in both.</li>
 * <li><b>Physical addresses are fake.</b> Page aligned, starting at {@code 0x80000000}, never reused while
 *     the emulator runs, unique per emulator (not per machine), with a free page between regions
 *     ({@link RegionTable}). The host looks a region up by its exact start address.</li>
 * <li><b>With passthrough, the memory is the driver's: one piece both sides address.</b> The kernel maps
 *     the region's file into the guest, the emulator maps the same file: no copy, no msync, no write-back,
 *     and a mapping that outlives the emulator keeps its memory (pipe calls then fail with ENOTCONN). What
 *     passthrough changes elsewhere:
 *     <ul>
 *     <li>RELEASE comes at the last close even while the region is still mapped (the mapping holds the
 *         region's file, not the device file): from then on the host no longer finds the region, while the
 *         guest's mapping keeps working until munmap. The driver keeps the region until the last close and
 *         munmap.</li>
 *     <li>The device cannot be opened as a stream: read(2) and write(2) of one descriptor take the kernel's
 *         file-position lock, so a write waits behind a read of the same descriptor that waits for data
 *         (the driver lets them run side by side); pwrite(2) does not wait, and a client that waits in
 *         poll(2) before reading, as this project's library does (it opens the device O_NONBLOCK), never
 *         holds the lock while waiting. lseek, pread and pwrite succeed; the offsets are ignored.</li>
 *     </ul></li>
 * <li><b>With the page cache, the memory is page cache, not coherent DMA memory.</b> The guest's mapping is
 *     the kernel's page cache of the pipe's inode, filled from the region's file; the host reads it live
 *     (retrieve) and writes into it (store), so neither side needs msync, as with the driver. In addition,
 *     the kernel writes dirty pages back to the region's file whenever it likes (and at munmap and close),
 *     and pages it drops are refetched from that file on the next touch; a host write racing with such a
 *     writeback is kept (on Linux 6.14 and newer; before, a window remains between the kernel's copy of
 *     the page and the emulator's read of it). Invisible to the guest except in timing. Before a pipe read
 *     or write of {@code n} bytes, the kernel also writes back the mapping's first {@code n} bytes, and
 *     before a write drops them, to be refetched on the next touch. The device is a stream: lseek, pread and
 *     pwrite fail with ESPIPE.</li>
 * <li><b>The region is freed when the kernel sends RELEASE</b>, which it does asynchronously: for a moment
 *     after the last close (and, with the page cache, munmap), the status file and host lookups may still
 *     show the region. The driver frees it synchronously in its release.</li>
 * <li><b>Unknown service.</b> The connecting write succeeds and the pipe is closed host-side: later reads
 *     and writes fail with EIO and poll reports POLLERR (with POLLHUP). The real host may already fail the
 *     connecting write.</li>
 * <li><b>Services.</b> Only {@code echo}, {@code dma} and {@code opengles} exist (and {@code hangup}, for
 *     fault tests); {@code opengles} accepts and discards what it is sent and never answers (it does not
 *     speak the rendering protocol). A namespaced name {@code pipe:<ns>:<name>} is looked up as a whole,
 *     then by its last part, then by its first part (the emulator's {@code service:arguments} form).</li>
 * <li><b>Writes never wait and never fail with EAGAIN</b>: every service takes all bytes at once. Reads
 *     return whatever is queued, up to the count. POLLOUT is always set on an open pipe, POLLHUP only with
 *     POLLERR after a host close.</li>
 * <li><b>An interrupted blocking read fails with EINTR</b> (the emulator answers FUSE_INTERRUPT so); the
 *     driver may restart it instead ({@code ERESTARTSYS} under SA_RESTART). A read parked when the host
 *     closes the pipe fails with EIO, as with the driver.</li>
 * <li><b>LOCK and UNLOCK with a NULL argument fail with EFAULT</b>: the kernel's FUSE layer copies the 16
 *     bytes in before asking the emulator; the driver returns 0 without reading them. UNLOCK wakes pollers
 *     (FUSE_NOTIFY_POLL); parked reads keep waiting for data, as they would after the driver's wake-up found
 *     nothing to read.</li>
 * <li><b>The device is a regular file</b> ({@code -rw-------} of the emulator's user, {@code -rw-rw-rw-}
 *     with {@code --allow-other}) in the mount directory, not a character device in {@code /dev}:
 *     {@code stat} differs; its size is the region's, 0 before CREATE_REGION. Open it by its path: every
 *     path lookup gets a fresh inode. truncate(2) and ftruncate(2) fail with EINVAL, as on the driver's
 *     character device (chmod and chown with EPERM); O_TRUNC at open is ignored, as with the
 *     driver.</li>
 * <li><b>Limits</b> ({@link dev.goldfishdma.emulator.model.RegionLimits}): an open past the open pipes
 *     fails with ENFILE, a CREATE_REGION past a user's or all users' region bytes with ENOMEM, where the
 *     driver's limits are the machine's.</li>
 * </ol>
 */
package dev.goldfishdma.emulator.model;
