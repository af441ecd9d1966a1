package dev.goldfishdma.emulator.model;

import dev.goldfishdma.emulator.service.HostService;
import dev.goldfishdma.emulator.service.RegionMemory;
import dev.goldfishdma.emulator.service.ServiceThreads;
import dev.goldfishdma.libc.ErrnoException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * The emulated goldfish pipe device: its open pipes, the services they connect to, the regions by
 * physical address, and the status text that describes them. It answers with values and errnos, and
 * knows nothing of how requests reach it.
 *
 * <p>Every pipe belongs to the uid that opened it, and so does its region; a pipe's service reaches only its
 * owner's regions. Open pipes and region bytes are bounded by {@link RegionLimits}.
 */
public final class GoldfishDevice {
    private final Map<String, HostService> services;
    private final RegionTable regions;
    private final LongFunction<RegionMemory> memoryOfUid;
    private final ResourceAccounting accounting;
    private final PipeLimits limits;
    private final ServiceThreads serviceThreads;
    private final Map<Long, EmulatedPipe> pipes = new ConcurrentHashMap<>();
    /** The region file of each inode with pipes open: normally one pipe per inode. */
    private final Map<Long, RegionFile> filesByInode = new ConcurrentHashMap<>();

    /**
     * A device without pipes.
     *
     * @param services the services guests may connect to, by {@link HostService#name()} (a later one of the
     *                 same name wins)
     * @param regions        where regions register their physical addresses
     * @param memoryOfUid    the host's access to the regions of one uid, handed to the services of that uid's
     *                       pipes
     * @param regionLimits   how many pipes and region bytes the device gives
     * @param pipeLimits     the limits of each pipe
     * @param serviceThreads the threads the services' work runs on, shared by all pipes
     */
    public GoldfishDevice(Collection<? extends HostService> services, RegionTable regions,
                          LongFunction<RegionMemory> memoryOfUid, RegionLimits regionLimits, PipeLimits pipeLimits,
                          ServiceThreads serviceThreads) {
        Map<String, HostService> byName = new LinkedHashMap<>();
        for (HostService service : services) {
            byName.put(service.name(), service);
        }
        this.services = Map.copyOf(byName);
        this.regions = regions;
        this.memoryOfUid = memoryOfUid;
        this.accounting = new ResourceAccounting(regionLimits);
        this.limits = pipeLimits;
        this.serviceThreads = serviceThreads;
    }

    /**
     * A new pipe: the device was opened. Its {@link RegionFile} is a new one, or, when pipes are open on the
     * same inode already (an open through {@code /proc/self/fd/N} of an open pipe), theirs: the kernel maps
     * an inode through one file.
     *
     * @param id    the number the pipe is known by until released; unique among open pipes
     * @param inode the inode of the device file it was opened on
     * @param owner the uid that opens it
     * @return the pipe
     * @throws ErrnoException ENFILE when {@link RegionLimits#maxPipes()} pipes are open; or when the pipe's
     *                        {@link RegionFile} cannot be created (e.g. EMFILE)
     */
    public EmulatedPipe openPipe(long id, long inode, long owner) throws ErrnoException {
        int refused = accounting.takePipe();
        if (refused != 0) {
            throw new ErrnoException("open", "pipe " + id + " of uid " + owner + ": " + accounting.describe(), refused);
        }
        RegionFile file = filesByInode.get(inode);
        try {
            if (file == null || !file.retain()) {
                file = RegionFile.create(id);
                filesByInode.put(inode, file);
            }
        } catch (ErrnoException | RuntimeException e) {
            accounting.givePipe();
            throw e;
        }
        EmulatedPipe pipe = new EmulatedPipe(id, inode, owner, regions, accounting, memoryOfUid.apply(owner),
                services, file, limits, serviceThreads);
        pipes.put(id, pipe);
        return pipe;
    }

    /**
     * The size of the region file of the pipes open on device inode {@code inode}: what the device file's
     * size is for the kernel. 0 when no pipe is open on it, or none made a region.
     *
     * @param inode a device inode
     * @return the size in bytes
     */
    public long regionSizeOnInode(long inode) {
        RegionFile file = filesByInode.get(inode);
        return file == null ? 0 : file.size();
    }

    /** The open pipe {@code id}, or null. */
    public EmulatedPipe pipe(long id) {
        return pipes.get(id);
    }

    /**
     * The last reference to pipe {@code id} went away (close of the last descriptor and munmap of the last
     * mapping): its session ends, its parked reads fail with EIO and its region is freed. Nothing when there
     * is no such pipe.
     */
    public void releasePipe(long id) {
        EmulatedPipe pipe = pipes.remove(id);
        if (pipe != null) {
            pipe.release();
            if (pipes.values().stream().noneMatch(other -> other.inode() == pipe.inode())) {
                filesByInode.remove(pipe.inode(), pipe.regionFile());
            }
        }
    }

    /** Releases every pipe: the emulator is shutting down. */
    public void releaseAll() {
        for (Long id : new ArrayList<>(pipes.keySet())) {
            releasePipe(id);
        }
    }

    /**
     * The status file's text, as of now: {@code pipes N}, {@code regions M}, {@code nodes K}, the
     * {@code limits ...} line (pipes and region bytes held against their {@link RegionLimits}), then one
     * {@code pipe id=... uid=...} line per pipe and one {@code region phys=0x... size=... pipe=... uid=...}
     * line per region (a region's address is 0 until it is mapped).
     *
     * @param deviceNodes the device inodes the kernel still holds (they go away with FORGET)
     * @return the text
     */
    public String statusText(long deviceNodes) {
        List<EmulatedPipe> live = new ArrayList<>(pipes.values());
        live.sort((a, b) -> Long.compare(a.id(), b.id()));
        StringBuilder pipeLines = new StringBuilder();
        StringBuilder regionLines = new StringBuilder();
        int regionCount = 0;
        for (EmulatedPipe pipe : live) {
            pipeLines.append(pipe.describe()).append('\n');
            EmulatedRegion region = pipe.region();
            if (region != null) {
                regionCount++;
                regionLines.append("region phys=0x").append(Long.toHexString(region.phys()))
                        .append(" size=").append(region.size()).append(" pipe=").append(pipe.id())
                        .append(" uid=").append(region.owner()).append('\n');
            }
        }
        return "pipes " + live.size() + "\n" + "regions " + regionCount + "\n"
                + "nodes " + deviceNodes + "\n" + accounting.describe() + "\n" + pipeLines + regionLines;
    }
}
