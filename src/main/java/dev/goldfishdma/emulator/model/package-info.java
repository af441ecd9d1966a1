/**
 * The goldfish pipe device as the emulator models it: pipes, DMA regions and the DMA ioctls, with the
 * driver's rules and answers, and nothing of how requests reach it (no FUSE type is used here).
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link dev.goldfishdma.emulator.model.GoldfishDevice}: the open pipes, the services they connect to,
 *     and the status text.</li>
 * <li>{@link dev.goldfishdma.emulator.model.EmulatedPipe}: one open (the connect string, bytes queued for
 *     the guest, parked reads, poll readiness, host close); it is the
 *     {@link dev.goldfishdma.emulator.service.HostEnd} its service answers through.</li>
 * <li>{@link dev.goldfishdma.emulator.model.DmaIoctls}: what LOCK, UNLOCK, GETOFF and CREATE_REGION do.</li>
 * <li>{@link dev.goldfishdma.emulator.model.EmulatedRegion} and
 *     {@link dev.goldfishdma.emulator.model.RegionTable}: the regions, their memory and their physical
 *     addresses; the size rule is {@link dev.goldfishdma.device.DriverRules}'s.</li>
 * </ul>
 * Calls answer with values, errnos or small results ({@link dev.goldfishdma.emulator.model.PipeRead},
 * {@link dev.goldfishdma.emulator.model.IoctlResult}). What completes later goes through interfaces that
 * whoever serves the device implements: {@link dev.goldfishdma.emulator.model.ReadCompletion} for a parked
 * read, {@link dev.goldfishdma.emulator.model.PollWaiter} for a poll wake-up. The transport that serves it
 * today is {@code dev.goldfishdma.emulator.fuse}.
 *
 * <h2>Where the emulated device differs from the driver</h2>
 * The driver is {@code goldfish_pipe_v2.c} (see the project's DEVICE.md). Everything not listed here
 * behaves as the driver does: one pipe per open, the connect string, EAGAIN under O_NONBLOCK, parked
 * blocking reads, 0 for zero-length I/O, EIO after the host closed the pipe, POLLERR then, the four DMA
 * ioctls with their errors (EINVAL, EBUSY, ENOTTY, and EFAULT for a bad pointer, which the kernel's FUSE
 * layer detects while copying the 16 bytes in or out), the region living until the last close and munmap.
 * Most differences come from serving the device over FUSE with the region in the page cache (the transport
 * and its memory); the rest are choices of this model.
 * <ol>
 * <li><b>The physical address appears at the first touch, not at mmap.</b> A FUSE server is not told about
 *     mmap; it sees the first page fault of the mapping, as a page-cache READ. The region's memory is
 *     allocated and its fake physical address assigned then
 *     ({@link dev.goldfishdma.emulator.model.EmulatedRegion#ensureAllocated()}). So GETOFF between mmap and
 *     the first access answers {@code {0, size}} where the driver answers {@code {phys, size}}. Clients that
 *     write into the region before asking for its address (as goldfish-opengl does) see no difference.</li>
 * <li><b>mmap checks nothing.</b> The driver refuses a mapping length that breaks the size rule (EINVAL)
 *     and fails with ENOMEM when it cannot allocate; the emulator cannot see mmap, so mmap succeeds and the
 *     checks happen at fault time.</li>
 * <li><b>mmap before CREATE_REGION, or touching past the region, is SIGBUS.</b> The driver dereferences
 *     NULL in the first case (a kernel oops) and maps memory past its allocation in the second; the
 *     emulator answers such faults with an error, and the guest gets SIGBUS on touch (HotSpot turns it into
 *     an {@code InternalError} for a memory-segment access). The same goes for a region whose memory cannot
 *     be allocated (ENOMEM at mmap in the driver); touching past the device file's size of 256 MiB is
 *     SIGBUS from the kernel itself.</li>
 * <li><b>The mmap offset selects the part of the region.</b> The driver ignores the offset and always maps
 *     the region from its start; here file offset {@code x} is region offset {@code x}. Offset 0, as every
 *     known client uses, is the same in both.</li>
 * <li><b>Physical addresses are fake.</b> Page aligned, starting at {@code 0x80000000}, never reused while
 *     the emulator runs, unique per emulator (not per machine), with a free page between regions
 *     ({@link dev.goldfishdma.emulator.model.RegionTable}). The host looks a region up by its exact start
 *     address.</li>
 * <li><b>The memory is page cache, not coherent DMA memory.</b> The guest's mapping is the kernel's page
 *     cache of the pipe's inode; the host reads it live (retrieve) and writes into it (store), so neither
 *     side needs msync, as with the driver. In addition, the kernel writes dirty pages back to the server's
 *     copy whenever it likes (and at munmap and close), and pages it drops are refetched from that copy on
 *     the next touch. Invisible to the guest except in timing. Before a pipe read or write of {@code n}
 *     bytes, the kernel also writes back the mapping's first {@code n} bytes, and before a write drops
 *     them, to be refetched on the next touch (the transport's {@code PageCacheMemory} explains it).</li>
 * <li><b>A host write racing the kernel's writeback of the same page</b> can leave the server's copy
 *     older than the page the guest sees, until that page is written back again. The host's reads and the
 *     guest's view are unaffected; only a page dropped in that window would come back stale. Host writes
 *     to a range the guest is writing at the same moment are undefined on the real device too.</li>
 * <li><b>The region is freed when the kernel sends RELEASE</b>, which it does asynchronously after the last
 *     close and munmap: for a moment after those return, the status file and host lookups may still show
 *     the region. The driver frees it synchronously in its release.</li>
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
 * <li><b>UNLOCK</b> wakes pollers (FUSE_NOTIFY_POLL); parked reads keep waiting for data, as they would
 *     after the driver's wake-up found nothing to read.</li>
 * <li><b>The device is a regular file</b> ({@code -rw-rw-rw-}, 256 MiB) in the mount directory, not a
 *     character device in {@code /dev}: {@code stat} differs, {@code lseek} fails with ESPIPE. Open it by
 *     its path: every path lookup gets a fresh inode (and so its own page cache), but reopening an open
 *     descriptor through {@code /proc/self/fd/N} reuses that descriptor's inode, so the two pipes' mappings
 *     would share pages.</li>
 * </ol>
 */
package dev.goldfishdma.emulator.model;
