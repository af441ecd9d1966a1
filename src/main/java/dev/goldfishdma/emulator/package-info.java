/**
 * An emulation of the goldfish pipe device with DMA, served over FUSE, so that every system call of the
 * library (open, read, write, poll, ioctl, mmap) goes through a real kernel on machines without an Android
 * emulator.
 *
 * <h2>Entry points</h2>
 * <ul>
 * <li>{@link dev.goldfishdma.emulator.GoldfishPipeEmulator}: mounts the emulated device on a directory and
 *     serves it in this JVM; {@link dev.goldfishdma.emulator.EmulatorMain} runs it as a command and
 *     {@link dev.goldfishdma.emulator.EmulatorProcess} as a child JVM, which is how anything that maps the
 *     device must use it (a page fault in this JVM waiting for a server in this JVM can deadlock with a
 *     garbage collection: see {@code GoldfishPipeEmulator}).</li>
 * <li>The directory then holds the device file {@code goldfish_pipe}, which behaves like the driver's
 *     device node, and the read-only file {@code status}, which lists the live pipes and regions,
 *     regenerated at each open: {@code pipes N}, {@code regions M}, {@code nodes K} (device inodes the
 *     kernel still holds: they go away with FORGET), {@code limits pipes P/MAX region-bytes B/MAX per-user
 *     MAX}, one {@code pipe id=... uid=...} line per pipe, one
 *     {@code region phys=0x... size=... pipe=... uid=...} line per region, then how it is mounted,
 *     {@code mounted-by mount(2) (uid 0)} or {@code mounted-by fusermount3 (uid 1000)}, and last
 *     {@code memory passthrough} or {@code memory page-cache} (with why passthrough is not used, when it was
 *     not asked away).
 *     {@link dev.goldfishdma.emulator.EmulatorStatus} reads it for tools that only know the device path.</li>
 * <li>{@link dev.goldfishdma.emulator.AvailableDevice}: the one place that chooses a device for a tool,
 *     a benchmark or a test: the path given, else the real device at a known path, else an emulated device
 *     it starts in a child JVM and removes on close.</li>
 * <li>{@link dev.goldfishdma.emulator.EmulatorRequirements}: whether this machine can run the emulated device,
 *     and if not, why; the JUnit extension ({@code dev.goldfishdma.junit}) skips with that reason.</li>
 * <li>{@link dev.goldfishdma.emulator.EmulatorOptions}: how an emulator serves: its memory mode, who may
 *     use it, its limits, and whether it ends with its parent.</li>
 * <li>{@link dev.goldfishdma.emulator.WorkDirectory}: the temporary directories devices are started in,
 *     marked with their owning process, and the removal of those that killed runs left behind.</li>
 * </ul>
 *
 * <h2>Who can reach the device and the regions</h2>
 * By default only the user who started the emulator: the mount has {@code default_permissions} and no
 * {@code allow_other}, so the kernel keeps every other uid out, root included, and the nodes belong to that
 * user (directory 0700, device 0600, status 0400; chmod, chown and utimes are refused with EPERM,
 * a truncate of the device with EINVAL).
 * {@link dev.goldfishdma.emulator.EmulatorOptions#allowOther()} opens the device to every local user
 * (directory 0755, device 0666) but neither the status file nor anyone's regions: a pipe and its region
 * belong to the uid that opened the pipe, and the {@code dma} service and every host-side lookup by physical
 * address resolve only regions of the asking pipe's uid, answering any other address, another user's region
 * included, as a free one. Open pipes and region bytes, per uid and in all, are limited
 * ({@link dev.goldfishdma.emulator.EmulatorOptions#maxPipes()} and the others): past them, ENFILE and
 * ENOMEM.
 *
 * <h2>Limits and answers</h2>
 * Every queue and pool has a limit, with its default and option in
 * {@link dev.goldfishdma.emulator.EmulatorOptions}: the bytes a pipe queues for the guest (a full pipe parks
 * the guest's write, or refuses it with EAGAIN under O_NONBLOCK, and a service takes no more of the guest's
 * bytes than its answers fit in), the commands a pipe's service has taken and not answered, the service
 * threads all pipes share, and the log's lines a minute. Every FUSE request is answered exactly once,
 * whatever its handler or a service task throws (EIO; ENOMEM for an OutOfMemoryError), and reads, writes and
 * polls parked on a pipe end with EINTR at the kernel's FUSE_INTERRUPT, so a client can always be
 * interrupted or killed. An opt-in request timeout
 * ({@link dev.goldfishdma.emulator.EmulatorOptions#requestTimeoutSeconds()}) has the kernel abort the whole
 * connection when the emulator stops answering; it is off by default because a long blocking read aborts it
 * too.
 *
 * <h2>Lifecycle</h2>
 * {@link dev.goldfishdma.emulator.EmulatorProcess}'s child ends, unmounting, when its parent JVM does, even
 * by SIGKILL (its standard input ends; {@code PR_SET_PDEATHSIG}); its heap is limited ({@code -Xmx64m}). A
 * start first detaches a dead mount of a killed emulator from the directory, saying so, and refuses a
 * directory that is not empty unless {@link dev.goldfishdma.emulator.EmulatorOptions#nonEmpty()}.
 *
 * <h2>The regions' memory</h2>
 * Every pipe keeps its DMA region in an anonymous file of its own (a memfd), sized at CREATE_REGION and
 * mapped by the emulator. The guest's mapping reaches it in one of two ways, settled when the emulator
 * starts ({@link dev.goldfishdma.emulator.MemoryMode}; {@code --memory=} of {@link
 * dev.goldfishdma.emulator.EmulatorMain} and of the tool's {@code emulator} command, a parameter of {@link
 * dev.goldfishdma.emulator.EmulatorProcess}, the default from the system property
 * {@value dev.goldfishdma.emulator.MemoryMode#PROPERTY}):
 * <ul>
 * <li><b>passthrough</b> (the default where the kernel offers FUSE passthrough, Linux 6.9+, and the emulator
 *     has CAP_SYS_ADMIN): the kernel maps the memfd itself into the guest, so guest and host address the
 *     same pages, as with the driver's coherent memory: no copy, no write-back, nothing lost, and the
 *     guest's page faults never reach the emulator;</li>
 * <li><b>page-cache</b> (the fallback): the guest maps the device file's page cache, which the kernel fills
 *     from the memfd and writes back to it, and the host reaches the live pages through the FUSE
 *     connection.</li>
 * </ul>
 * Where each differs from the driver is listed in the documentation of {@code dev.goldfishdma.emulator.model}.
 *
 * <h2>Inside, in three parts</h2>
 * <ul>
 * <li>{@code dev.goldfishdma.emulator.fuse}, the FUSE transport: mounting, the connection on
 *     {@code /dev/fuse} (no libfuse), INIT, the file namespace, one dispatch table of opcodes
 *     ({@code FuseDispatcher}), interrupts, and the two memory models. It alone knows FUSE.</li>
 * <li>{@code dev.goldfishdma.emulator.model}, the goldfish device model: pipes, regions, the DMA ioctls and
 *     the status text, with the driver's rules. It returns values and errnos and never writes a FUSE reply;
 *     its documentation lists where the emulated device differs from the driver.</li>
 * <li>{@link dev.goldfishdma.emulator.service}, the host side: the API a host service is written against
 *     ({@link dev.goldfishdma.emulator.service.HostService}, resting on the memory interface
 *     {@link dev.goldfishdma.emulator.service.RegionMemory}) and the services {@code echo}, {@code dma},
 *     {@code opengles} and {@code hangup}.</li>
 * </ul>
 * A request travels one way: the transport reads it, its opcode's handler asks the model, the model's
 * answer comes back and becomes one reply. The transport uses the model, the model uses the service API,
 * and nothing points back up.
 */
package dev.goldfishdma.emulator;
