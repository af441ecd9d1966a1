package dev.goldfishdma.emulator.model;

import dev.goldfishdma.emulator.service.HostService;
import dev.goldfishdma.emulator.service.RegionMemory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The emulated goldfish pipe device: its open pipes, the services they connect to, the regions by
 * physical address, and the status text that describes them. It answers with values and errnos, and
 * knows nothing of how requests reach it.
 */
public final class GoldfishDevice {
    private final Map<String, HostService> services;
    private final RegionTable regions;
    private final RegionMemory memory;
    private final Map<Long, EmulatedPipe> pipes = new ConcurrentHashMap<>();

    /**
     * A device without pipes.
     *
     * @param services the services guests may connect to, by {@link HostService#name()} (a later one of the
     *                 same name wins)
     * @param regions  where regions register their physical addresses
     * @param memory   the host's access to those regions, handed to services
     */
    public GoldfishDevice(Collection<? extends HostService> services, RegionTable regions, RegionMemory memory) {
        Map<String, HostService> byName = new LinkedHashMap<>();
        for (HostService service : services) {
            byName.put(service.name(), service);
        }
        this.services = Map.copyOf(byName);
        this.regions = regions;
        this.memory = memory;
    }

    /**
     * A new pipe: the device was opened.
     *
     * @param id    the number the pipe is known by until released; unique among open pipes
     * @param inode the inode of the device file it was opened on
     */
    public EmulatedPipe openPipe(long id, long inode) {
        EmulatedPipe pipe = new EmulatedPipe(id, inode, regions, memory, services);
        pipes.put(id, pipe);
        return pipe;
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
        }
    }

    /** Releases every pipe: the emulator is shutting down. */
    public void releaseAll() {
        for (Long id : new ArrayList<>(pipes.keySet())) {
            releasePipe(id);
        }
    }

    /**
     * The status file's text, as of now: {@code pipes N}, {@code regions M}, {@code nodes K}, then one
     * {@code pipe id=...} line per pipe and one {@code region phys=0x... size=... pipe=...} line per region.
     *
     * @param deviceNodes the device inodes the kernel still holds (they go away with FORGET)
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
                        .append(" size=").append(region.size()).append(" pipe=").append(pipe.id()).append('\n');
            }
        }
        return "pipes " + live.size() + "\n" + "regions " + regionCount + "\n"
                + "nodes " + deviceNodes + "\n" + pipeLines + regionLines;
    }
}
