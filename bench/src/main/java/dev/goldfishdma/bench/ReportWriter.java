package dev.goldfishdma.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Publishes a full run: keeps the JSON and the machine and device it ran on in {@code results/}, draws the
 * charts, and rewrites the generated part of the benchmark README (between {@link #BEGIN} and {@link #END}):
 * the environment, every target with its measured ratio and a verdict that says why when it is not met,
 * the API's copies against the faster primitive by chunk size, allocation on the hot paths, throughput by
 * chunk size, the main job, and every score. The prose around it is written by hand.
 *
 * <p>Every target is a ratio of two scores of the same run, so that the machine's speed cancels out.
 *
 * <p>Command line, to redo the report from kept results: {@code ReportWriter BENCH_DIR}.
 */
public final class ReportWriter {
    static final String BEGIN = "<!-- BEGIN GENERATED RESULTS (ReportWriter) -->";
    static final String END = "<!-- END GENERATED RESULTS -->";
    static final String WRITE_CHART = "throughput-write.svg";
    static final String READ_CHART = "throughput-read.svg";
    /** The single chart of runs before reads had their own. */
    private static final String OLD_CHART = "throughput.svg";

    private static final String TRANSFER = "TransferBenchmark.";
    /** The copies' target: each API form against the faster of its two baselines. */
    static final double COPY_TARGET = 0.95;
    /** The upload cycle's target at 32 MiB, against the faster heap-write baseline. */
    static final double CYCLE_TARGET = 0.90;
    /** The upload cycle's target at 32 MiB against the device's own cycle: what the library adds to it. */
    static final double DEVICE_CYCLE_TARGET = 0.95;
    /** The main job's target against its ceiling (issue 11: at least half of reading into memory). */
    static final double JOB_TARGET = 0.50;
    /** Allocation per call that counts as none (as the full run's check): a one-off spread over the calls. */
    static final double NO_ALLOCATION = 0.5;

    private ReportWriter() {
    }

    /**
     * An API copy form: a {@code way} of one of {@code TransferBenchmark}'s four benchmarks (a direction and a
     * kind of memory), held to that benchmark's two baselines, {@code memcpy} and {@code segmentCopy}.
     */
    record CopyForm(String benchmark, String way, String call) {
        String label() {
            return benchmark + "/" + way;
        }
    }

    static final List<CopyForm> COPY_FORMS = List.of(
            new CopyForm("writeHeap", "apiArray", "`write(long, byte[], int, int)`"),
            new CopyForm("writeHeap", "apiHeapBuffer", "`write(long, ByteBuffer)`, heap buffer"),
            new CopyForm("writeNative", "apiSegment", "`write(long, MemorySegment, long, long)`, native segment"),
            new CopyForm("writeNative", "apiDirectBuffer", "`write(long, ByteBuffer)`, direct buffer"),
            new CopyForm("readHeap", "apiArray", "`read(long, byte[], int, int)`"),
            new CopyForm("readHeap", "apiHeapBuffer", "`read(long, ByteBuffer)`, heap buffer"),
            new CopyForm("readNative", "apiSegment", "`read(long, MemorySegment, long, long)`, native segment"),
            new CopyForm("readNative", "apiDirectBuffer", "`read(long, ByteBuffer)`, direct buffer"));

    /** The key of {@code TransferBenchmark.benchmark} at {@code chunk} bytes going {@code way}. */
    static String transferKey(String benchmark, long chunk, String way) {
        return JmhResult.key(TRANSFER + benchmark, Map.of("chunk", Long.toString(chunk), "way", way));
    }

    /**
     * A comparison of two scores with a target.
     *
     * @param higherIsBetter whether the target is a floor (speed-up) or a ceiling (time ratio)
     * @param invert         the ratio is denominator/numerator of the scores (for times turned into speed-ups)
     * @param bound          the benchmark that takes the numerator's place to show what bounds a miss (the bare
     *                       downcall, whose ratio no caller of it can beat), or {@code null}
     */
    record Ratio(String what, String numerator, String denominator, boolean invert, double target,
                 boolean higherIsBetter, String bound) {
        /** Whether a ratio of {@code value} meets the target. */
        boolean meets(double value) {
            return higherIsBetter ? value >= target : value <= target;
        }
    }

    static final List<Ratio> IOCTL_RATIOS = List.of(
            new Ratio("ioctl time, library `Libc.ioctl` vs bare FFM downcall (FIONREAD, pipe)",
                    "IoctlBenchmark.fionreadLibraryIoctl", "IoctlBenchmark.fionreadBareFfm", false, 1.10, false, null),
            new Ratio("ioctl time, library `Libc.ioctlOrErrno` vs bare FFM downcall (LOCK, /dev/null, ENOTTY)",
                    "IoctlBenchmark.enottyLibraryIoctlOrErrno", "IoctlBenchmark.enottyBareFfm", false, 1.10, false, null),
            new Ratio("ioctl speed-up, library `Libc.ioctl` over JNA direct mapping (FIONREAD, pipe)",
                    "IoctlBenchmark.fionreadLibraryIoctl", "IoctlBenchmark.fionreadJnaDirect", true, 1.4, true,
                    "IoctlBenchmark.fionreadBareFfm"),
            new Ratio("ioctl speed-up, library `Libc.ioctlOrErrno` over JNA direct mapping (LOCK, /dev/null, ENOTTY)",
                    "IoctlBenchmark.enottyLibraryIoctlOrErrno", "IoctlBenchmark.enottyJnaDirect", true, 1.4, true,
                    "IoctlBenchmark.enottyBareFfm"));

    /** The benchmarks besides the transfers' API ways whose allocation the report shows (they promise none). */
    static final List<String> HOT_PATHS = List.of("IoctlBenchmark.enottyLibraryIoctlOrErrno",
            "IoctlBenchmark.fionreadLibraryIoctl", "IoctlBenchmark.fionreadLibraryIoctlOrErrno",
            "RegionLockBenchmark.lockUnlock", "RegionLockBenchmark.physicalAddress");

    /** Whether {@code r} is on a path that promises to allocate nothing: those above, and every API way. */
    static boolean hotPath(JmhResult r) {
        return HOT_PATHS.contains(r.className() + "." + r.method())
                || r.className().equals("TransferBenchmark") && r.throughLibrary();
    }

    /** Keeps {@code json} as {@code BENCH_DIR/results/full.json} with the machine and device, and reports. */
    static void publish(Path json, Path benchDir, String device) throws IOException {
        Path kept = benchDir.resolve("results");
        Files.createDirectories(kept);
        List<JmhResult> results = JmhResult.read(json);
        String jdk = results.isEmpty() ? System.getProperty("java.version") : results.get(0).jdk();
        Files.copy(json, kept.resolve("full.json"), StandardCopyOption.REPLACE_EXISTING);
        Environment.capture(jdk, device).write(kept.resolve("environment.txt"));
        Files.deleteIfExists(kept.resolve(OLD_CHART));
        report(benchDir);
    }

    /** Draws the charts and rewrites the README's generated part from {@code BENCH_DIR/results}. */
    static void report(Path benchDir) throws IOException {
        Path kept = benchDir.resolve("results");
        List<JmhResult> results = JmhResult.read(kept.resolve("full.json"));
        Environment env = Environment.read(kept.resolve("environment.txt"));
        Files.writeString(kept.resolve(WRITE_CHART), ChartWriter.svg(ChartWriter.series(results, WRITES), "writes",
                env.oneLine()));
        Files.writeString(kept.resolve(READ_CHART), ChartWriter.svg(ChartWriter.series(results, READS), "reads",
                env.oneLine()));
        Path readme = benchDir.resolve("README.md");
        String text = Files.readString(readme);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IOException(readme + " has no " + BEGIN + " ... " + END + " section to fill");
        }
        Files.writeString(readme, text.substring(0, begin + BEGIN.length()) + "\n" + markdown(results, env)
                + text.substring(end));
        System.out.println("report: wrote the charts in " + kept + " and the results in " + readme);
    }

    /** The transfer benchmarks the write chart shows: every way of writing, the upload cycle among them. */
    static final Predicate<String> WRITES = method -> method.startsWith("write");
    /** The transfer benchmarks the read chart shows. */
    static final Predicate<String> READS = method -> method.startsWith("read");

    static String markdown(List<JmhResult> results, Environment env) {
        Map<String, JmhResult> byKey = new LinkedHashMap<>();
        results.forEach(r -> byKey.put(r.key(), r));
        StringBuilder md = new StringBuilder();
        md.append("\nMeasured ").append(env.date()).append(" on ").append(env.cpu()).append(" (").append(env.cores())
                .append(" cores), Linux ").append(env.kernel()).append(", JDK ").append(env.jdk())
                .append("; device: ").append(env.device()).append(".\n\n");

        md.append("### Targets\n\n");
        md.append("Each target is a ratio of two scores of this run; ± is the ratio's error from the two scores' "
                + "99.9% confidence intervals. Those intervals treat every iteration as independent, but a whole "
                + "fork (a new JVM) can differ from the next by more: so a target "
                + "missed counts as short beyond the run's noise only when, besides the interval, the measured side's "
                + "best fork against the baseline's worst fork falls short as well.\n\n");
        md.append("| target | measured | verdict |\n|---|---|---|\n");
        List<Integer> chunks = chunks(results);
        copyTargetRow(md, byKey, chunks);
        cycleTargetRow(md, byKey, env);
        deviceCycleTargetRow(md, byKey);
        jobTargetRow(md, byKey, "file", "the main job from a file in the page cache (read(2) into the regions, host "
                + "verification) ≥ " + fmt(JOB_TARGET) + "x read(2) of the same file into memory");
        jobTargetRow(md, byKey, "memory", "the main job from memory (`MemorySegment.copy` into the regions, host verification) ≥ "
                + fmt(JOB_TARGET) + "x `MemorySegment.copy` of the same input into memory");
        for (Ratio ratio : IOCTL_RATIOS) {
            ratioRow(md, byKey, ratio);
        }
        allocationRow(md, results);

        if (!chunks.isEmpty()) {
            md.append("\n### The API's copies against the faster primitive\n\n");
            md.append("Each cell: the API form's throughput over the faster of glibc `memcpy` (a critical downcall) "
                    + "and `MemorySegment.copy` for the same direction and the same kind of memory; **bold** below "
                    + fmt(COPY_TARGET) + "x. The faster baseline is named under the ratio.\n\n| form |");
            chunks.forEach(c -> md.append(' ').append(ChartWriter.size(c)).append(" |"));
            md.append("\n|---|");
            chunks.forEach(c -> md.append("---|"));
            md.append('\n');
            for (CopyForm form : COPY_FORMS) {
                md.append("| ").append(form.call()).append(" |");
                for (int chunk : chunks) {
                    CopyCell cell = copyCell(byKey, form, chunk);
                    md.append(' ').append(cell == null ? "-" : cell.markdown()).append(" |");
                }
                md.append('\n');
            }
        }

        md.append("\n### Allocation on the library's paths\n\n");
        md.append("B/op (JVM): `-prof gc`'s `gc.alloc.rate.norm`, every thread of the JVM per operation. "
                + "B/call (thread): what the benchmark thread itself allocated per library call "
                + "(`ThreadAllocation`), free of the JVM's background allocation.\n\n");
        md.append("| benchmark | params | B/op (JVM) | B/call (thread) |\n|---|---|---|---|\n");
        for (JmhResult r : results) {
            String shortName = r.className() + "." + r.method();
            if (hotPath(r)) {
                md.append("| ").append(shortName).append(" | ").append(params(r)).append(" | ").append(jvmAlloc(r))
                        .append(" | ").append(threadAlloc(r)).append(" |\n");
            }
        }

        throughputTable(md, results, WRITES, "Writes", WRITE_CHART);
        throughputTable(md, results, READS, "Reads", READ_CHART);

        List<JmhResult> job = results.stream().filter(r -> r.className().equals("TransferJobBenchmark")).toList();
        if (!job.isEmpty()) {
            md.append("\n### The main job, GiB/s (each operation moves ").append(TransferJobBenchmark.INPUT_MIB)
                    .append(" MiB)\n\n| benchmark | source | GiB/s |\n|---|---|---|\n");
            for (JmhResult r : job) {
                md.append("| ").append(r.method()).append(" | ").append(r.param("source")).append(" | ")
                        .append(fmt(jobGib(r.primary().score()))).append(" ± ").append(fmt(jobGib(r.primary().error())))
                        .append(" |\n");
            }
        }

        md.append("\n### Every score\n\n");
        md.append("| benchmark | params | mode | score | error (99.9%) | units | B/op (JVM) | B/call (thread) |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (JmhResult r : results) {
            JmhResult.Metric p = r.primary();
            md.append("| ").append(r.className()).append('.').append(r.method()).append(" | ").append(params(r))
                    .append(" | ").append(r.mode()).append(" | ").append(fmt(p.score())).append(" | ")
                    .append(fmt(p.error())).append(" | ").append(p.unit()).append(" | ").append(jvmAlloc(r))
                    .append(" | ").append(threadAlloc(r)).append(" |\n");
        }
        md.append('\n');
        return md.toString();
    }

    // ---- the targets ---------------------------------------------------------------------------------------

    /** One API form at one chunk size against the faster of its two baselines. */
    record CopyCell(CopyForm form, int chunk, double[] ratio, String fasterBaseline, String shortfall,
                    double[] slowerRatio, String slowerBaseline) {
        boolean met() {
            return ratio[0] >= COPY_TARGET;
        }

        String markdown() {
            String r = fmt(ratio[0]) + "x ± " + fmt(ratio[1]);
            return (met() ? r : "**" + r + "**") + "<br>" + fasterBaseline;
        }

        String why() {
            return form.label() + " at " + ChartWriter.size(chunk) + " " + fmt(ratio[0]) + "x ± " + fmt(ratio[1])
                    + " against " + fasterBaseline + " (" + shortfall + "), " + fmt(slowerRatio[0]) + "x ± "
                    + fmt(slowerRatio[1]) + " of " + slowerBaseline;
        }
    }

    static CopyCell copyCell(Map<String, JmhResult> byKey, CopyForm form, int chunk) {
        JmhResult api = byKey.get(transferKey(form.benchmark(), chunk, form.way()));
        JmhResult memcpy = byKey.get(transferKey(form.benchmark(), chunk, "memcpy"));
        JmhResult segmentCopy = byKey.get(transferKey(form.benchmark(), chunk, "segmentCopy"));
        if (api == null || memcpy == null || segmentCopy == null) {
            return null;
        }
        boolean memcpyFaster = memcpy.primary().score() > segmentCopy.primary().score();
        JmhResult faster = memcpyFaster ? memcpy : segmentCopy;
        double[] ratio = quotient(api, faster);
        return new CopyCell(form, chunk, ratio, memcpyFaster ? "memcpy" : "MemorySegment.copy",
                shortfall(api, faster, ratio, COPY_TARGET, true),
                quotient(api, memcpyFaster ? segmentCopy : memcpy), memcpyFaster ? "MemorySegment.copy" : "memcpy");
    }

    private static void copyTargetRow(StringBuilder md, Map<String, JmhResult> byKey, List<Integer> chunks) {
        List<CopyCell> cells = new ArrayList<>();
        for (CopyForm form : COPY_FORMS) {
            for (int chunk : chunks) {
                CopyCell cell = copyCell(byKey, form, chunk);
                if (cell != null) {
                    cells.add(cell);
                }
            }
        }
        md.append("| the API's copies (").append(COPY_FORMS.size()).append(" forms, every chunk size) ≥ ")
                .append(fmt(COPY_TARGET)).append("x the faster of `memcpy` and `MemorySegment.copy` | ");
        if (cells.isEmpty()) {
            md.append("not measured | - |\n");
            return;
        }
        CopyCell lowest = cells.stream().min((a, b) -> Double.compare(a.ratio()[0], b.ratio()[0])).orElseThrow();
        CopyCell highest = cells.stream().max((a, b) -> Double.compare(a.ratio()[0], b.ratio()[0])).orElseThrow();
        md.append(fmt(lowest.ratio()[0])).append("x to ").append(fmt(highest.ratio()[0])).append("x over ")
                .append(cells.size()).append(" cells | ");
        List<CopyCell> missed = cells.stream().filter(c -> !c.met()).toList();
        if (missed.isEmpty()) {
            md.append("met in all ").append(cells.size()).append(" |\n");
        } else {
            md.append("**not met** in ").append(missed.size()).append(" of ").append(cells.size()).append(": ");
            md.append(String.join("; ", missed.stream().map(CopyCell::why).toList())).append(" |\n");
        }
    }

    private static void cycleTargetRow(StringBuilder md, Map<String, JmhResult> byKey, Environment env) {
        md.append("| upload cycle (lock, copy, unlock, address) in one 32 MiB chunk ≥ ").append(fmt(CYCLE_TARGET))
                .append("x the faster bare heap copy, on the passthrough device | ");
        JmhResult cycle = byKey.get(transferKey("writeHeap", DeviceRegion.SIZE, "apiUploadCycle"));
        JmhResult copy = fasterHeapWrite(byKey);
        if (cycle == null || copy == null) {
            md.append("not measured | - |\n");
            return;
        }
        double[] r = quotient(cycle, copy);
        md.append(fmt(r[0])).append("x ± ").append(fmt(r[1])).append(" | ");
        // The driver's memory is what passthrough emulates: a real device counts as well.
        boolean shared = env.device().contains("memory passthrough") || !env.device().startsWith("emulated");
        if (!shared) {
            md.append("**not met**: not measured on the passthrough device (this run: ").append(env.device())
                    .append(")");
        } else if (r[0] >= CYCLE_TARGET) {
            md.append("met");
        } else {
            md.append("**not met** (").append(shortfall(cycle, copy, r, CYCLE_TARGET, true)).append(")");
        }
        JmhResult device = byKey.get(transferKey("writeHeap", DeviceRegion.SIZE, "deviceCycle"));
        if (device != null) {
            double[] bound = quotient(device, copy);
            double extraMicros = (1e6 / device.primary().score() - 1e6 / copy.primary().score());
            md.append("; bound by the device: its own cycle (`deviceCycle`, bare LOCK and UNLOCK downcalls around the "
                    + "same copy) reaches ").append(fmt(bound[0])).append("x ± ").append(fmt(bound[1]))
                    .append(", its two ioctls costing ").append(fmt(extraMicros)).append(" µs a cycle beside the copy");
        }
        JmhResult lock = byKey.get("RegionLockBenchmark.lockUnlock");
        if (lock != null) {
            md.append("; back to back, LOCK and UNLOCK take ").append(fmt(lock.primary().score() / 1e3))
                    .append(" µs (`RegionLockBenchmark.lockUnlock`)");
        }
        md.append(" |\n");
    }

    /**
     * The library's own share of the upload cycle: the API's cycle against the same device calls made as bare
     * downcalls around the same copy, so that what the device costs cancels out.
     */
    private static void deviceCycleTargetRow(StringBuilder md, Map<String, JmhResult> byKey) {
        md.append("| upload cycle in one 32 MiB chunk ≥ ").append(fmt(DEVICE_CYCLE_TARGET))
                .append("x the device's own cycle (`deviceCycle`: bare LOCK and UNLOCK downcalls around the same copy) | ");
        JmhResult cycle = byKey.get(transferKey("writeHeap", DeviceRegion.SIZE, "apiUploadCycle"));
        JmhResult device = byKey.get(transferKey("writeHeap", DeviceRegion.SIZE, "deviceCycle"));
        if (cycle == null || device == null) {
            md.append("not measured | - |\n");
            return;
        }
        double[] r = quotient(cycle, device);
        md.append(fmt(r[0])).append("x ± ").append(fmt(r[1])).append(" | ")
                .append(r[0] >= DEVICE_CYCLE_TARGET ? "met"
                        : "**not met** (" + shortfall(cycle, device, r, DEVICE_CYCLE_TARGET, true) + ")")
                .append(" |\n");
    }

    /** The faster of the two bare heap writes of the whole region in one chunk, or null if either is missing. */
    private static JmhResult fasterHeapWrite(Map<String, JmhResult> byKey) {
        JmhResult memcpy = byKey.get(transferKey("writeHeap", DeviceRegion.SIZE, "memcpy"));
        JmhResult segmentCopy = byKey.get(transferKey("writeHeap", DeviceRegion.SIZE, "segmentCopy"));
        if (memcpy == null || segmentCopy == null) {
            return null;
        }
        return memcpy.primary().score() > segmentCopy.primary().score() ? memcpy : segmentCopy;
    }

    private static void jobTargetRow(StringBuilder md, Map<String, JmhResult> byKey, String source, String what) {
        md.append("| ").append(what).append(" | ");
        JmhResult job = byKey.get("TransferJobBenchmark.job:source=" + source);
        JmhResult ceiling = byKey.get("TransferJobBenchmark.ceiling:source=" + source);
        if (job == null || ceiling == null) {
            md.append("not measured | - |\n");
            return;
        }
        double[] r = quotient(job, ceiling);
        md.append(fmt(r[0])).append("x ± ").append(fmt(r[1])).append(" (").append(fmt(jobGib(job.primary().score())))
                .append(" against ").append(fmt(jobGib(ceiling.primary().score()))).append(" GiB/s) | ");
        md.append(r[0] >= JOB_TARGET ? "met" : "**not met** (" + shortfall(job, ceiling, r, JOB_TARGET, true) + ")").append(" |\n");
    }

    private static void ratioRow(StringBuilder md, Map<String, JmhResult> byKey, Ratio ratio) {
        String target = (ratio.higherIsBetter() ? "≥ " : "≤ ") + fmt(ratio.target()) + "x";
        md.append("| ").append(ratio.what()).append(' ').append(target).append(" | ");
        JmhResult a = byKey.get(ratio.numerator());
        JmhResult b = byKey.get(ratio.denominator());
        if (a == null || b == null) {
            md.append("not measured | - |\n");
            return;
        }
        JmhResult top = ratio.invert() ? b : a;
        JmhResult bottom = ratio.invert() ? a : b;
        double[] r = quotient(top, bottom);
        boolean met = ratio.meets(r[0]);
        md.append(fmt(r[0])).append("x ± ").append(fmt(r[1])).append(" | ");
        md.append(met ? "met" : "**not met** (" + shortfall(top, bottom, r, ratio.target(), ratio.higherIsBetter()) + ")"
                + bound(ratio.bound() == null ? null : byKey.get(ratio.bound()), ratio, top, bottom)).append(" |\n");
    }

    /**
     * What bounds a missed speed-up over JNA: the bare downcall in the library's place. When even it falls short,
     * the target is out of any FFM caller's reach at this system call's cost, which the library does not set.
     */
    private static String bound(JmhResult bare, Ratio ratio, JmhResult top, JmhResult bottom) {
        if (bare == null) {
            return "";
        }
        // The bare downcall takes the library's side of the quotient: the bottom of a speed-up, else the top.
        double[] r = ratio.invert() ? quotient(top, bare) : quotient(bare, bottom);
        return "; " + (ratio.meets(r[0]) ? "a bare FFM downcall in its place reaches " : "bounded by the system call's cost: "
                + "a bare FFM downcall in its place reaches only ") + fmt(r[0]) + "x ± " + fmt(r[1]) + " ("
                + fmt(bare.primary().score()) + " " + bare.primary().unit() + ")";
    }

    private static void allocationRow(StringBuilder md, List<JmhResult> results) {
        md.append("| no allocation per call on the library's paths (≤ ").append(fmt(NO_ALLOCATION))
                .append(" B, a one-off spread over the calls) | ");
        JmhResult worst = null;
        for (JmhResult r : results) {
            if (hotPath(r) && !Double.isNaN(r.allocation())
                    && (worst == null || r.allocation() > worst.allocation())) {
                worst = r;
            }
        }
        if (worst == null) {
            md.append("not measured | - |\n");
            return;
        }
        String where = worst.className() + "." + worst.method() + (worst.params().isEmpty() ? "" : " " + params(worst));
        md.append("at most ").append(fmt(worst.allocation())).append(' ').append(worst.allocationUnit()).append(" (")
                .append(where).append(") | ").append(worst.allocation() <= NO_ALLOCATION ? "met"
                        : "**not met**: " + where + " allocates; see the allocation table").append(" |\n");
    }

    /**
     * Whether the shortfall of {@code ratio} ({@code top}/{@code bottom}) against {@code target} is within the
     * run's noise. The noise is twofold: JMH's confidence interval, which treats every iteration as independent,
     * and the spread between forks, which on a VM is the larger (a whole JVM's score can differ from the next
     * one's by half). So a shortfall counts as beyond noise only when it is beyond the interval and the most
     * favourable pair of forks (the measured side's best against the baseline's worst) falls short as well.
     */
    static String shortfall(JmhResult top, JmhResult bottom, double[] ratio, double target, boolean higherIsBetter) {
        double bestFork = top.forks().isEmpty() || bottom.forks().isEmpty() ? Double.NaN
                : higherIsBetter ? Collections.max(top.forks()) / Collections.min(bottom.forks())
                : Collections.min(top.forks()) / Collections.max(bottom.forks());
        String forks = Double.isNaN(bestFork) ? "" : "; best fork against the baseline's worst " + fmt(bestFork) + "x";
        boolean within = higherIsBetter ? ratio[0] + ratio[1] >= target || bestFork >= target
                : ratio[0] - ratio[1] <= target || bestFork <= target;
        return (within ? "short by the point estimate, within the run's noise" : "short beyond the run's noise") + forks;
    }

    // ---- tables --------------------------------------------------------------------------------------------

    private static List<Integer> chunks(List<JmhResult> results) {
        TreeSet<Integer> chunks = new TreeSet<>();
        for (JmhResult r : results) {
            if (r.className().equals("TransferBenchmark") && r.param("chunk") != null) {
                chunks.add(Integer.parseInt(r.param("chunk")));
            }
        }
        return new ArrayList<>(chunks);
    }

    private static void throughputTable(StringBuilder md, List<JmhResult> results, Predicate<String> methods,
                                        String title, String chart) {
        List<ChartWriter.Series> series = ChartWriter.series(results, methods);
        if (series.isEmpty()) {
            return;
        }
        TreeSet<Integer> chunks = new TreeSet<>();
        series.forEach(s -> chunks.addAll(s.points().keySet()));
        md.append("\n### ").append(title).append(", GiB/s (each operation moves 32 MiB)\n\n");
        md.append("![").append(title.toLowerCase(Locale.ROOT)).append(" against chunk size](results/").append(chart)
                .append(")\n\n| benchmark |");
        chunks.forEach(c -> md.append(' ').append(ChartWriter.size(c)).append(" |"));
        md.append("\n|---|");
        chunks.forEach(c -> md.append("---|"));
        md.append('\n');
        for (ChartWriter.Series s : series) {
            md.append("| ").append(s.name()).append(" |");
            for (int c : chunks) {
                double[] p = s.points().get(c);
                md.append(' ').append(p == null ? "-" : fmt(p[0]) + " ± " + fmt(p[1])).append(" |");
            }
            md.append('\n');
        }
    }

    private static double jobGib(double opsPerSecond) {
        return opsPerSecond * TransferJobBenchmark.INPUT / (1024.0 * 1024 * 1024);
    }

    private static String jvmAlloc(JmhResult r) {
        JmhResult.Metric alloc = r.secondary().get(JmhResult.ALLOC_NORM);
        return alloc == null ? "-" : fmt(alloc.score());
    }

    private static String threadAlloc(JmhResult r) {
        return r.countsCalls() ? fmt(r.allocation()) : "-";
    }

    /** a/b with its error, combining the two relative errors in quadrature. */
    static double[] quotient(JmhResult a, JmhResult b) {
        double sa = a.primary().score();
        double sb = b.primary().score();
        double q = sa / sb;
        double ra = finiteOrZero(a.primary().error()) / sa;
        double rb = finiteOrZero(b.primary().error()) / sb;
        return new double[] {q, q * Math.sqrt(ra * ra + rb * rb)};
    }

    private static double finiteOrZero(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    private static String params(JmhResult r) {
        List<String> parts = new ArrayList<>();
        r.params().forEach((k, v) -> parts.add(k.equals("chunk") ? "chunk=" + ChartWriter.size(Long.parseLong(v))
                : k + "=" + v));
        return parts.isEmpty() ? "" : String.join(", ", parts);
    }

    /** Three significant digits, plainly written. */
    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a == 0) {
            return "0";
        }
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        int decimals = Math.max(0, 2 - (int) Math.floor(Math.log10(a)));
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 6) + "f", v);
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ReportWriter BENCH_DIR (with results/full.json and results/environment.txt)");
            System.exit(2);
        }
        report(Path.of(args[0]));
    }
}
