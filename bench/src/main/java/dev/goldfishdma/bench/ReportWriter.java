package dev.goldfishdma.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Publishes a full run: keeps the JSON and the machine it ran on in {@code results/}, draws the chart, and
 * rewrites the generated part of the benchmark README (between {@link #BEGIN} and {@link #END}): the
 * environment, the ratios against their targets, allocation on the hot paths, throughput by chunk size and
 * every score. The prose around it, which explains the numbers, is written by hand.
 *
 * <p>Command line, to redo the report from kept results: {@code ReportWriter BENCH_DIR}.
 */
public final class ReportWriter {
    static final String BEGIN = "<!-- BEGIN GENERATED RESULTS (ReportWriter) -->";
    static final String END = "<!-- END GENERATED RESULTS -->";
    private static final String CHUNK_32M = "chunk=" + DeviceRegion.SIZE;
    private static final String CHUNK_4K = "chunk=4096";

    private ReportWriter() {
    }

    /**
     * A comparison with a target.
     *
     * @param higherIsBetter whether the target is a floor (speed-up) or a ceiling (time ratio)
     * @param invert         the ratio is denominator/numerator of the scores (for times turned into speed-ups)
     */
    record Ratio(String what, String numerator, String denominator, boolean invert, double target,
                 boolean higherIsBetter) {
    }

    static final List<Ratio> RATIOS = List.of(
            new Ratio("32 MiB in one chunk, heap upload, API `write(long, byte[], ...)` vs bare `MemorySegment.copy`",
                    "TransferBenchmark.apiWriteHeap:" + CHUNK_32M, "TransferBenchmark.baseSegmentCopyHeap:" + CHUNK_32M,
                    false, 0.95, true),
            new Ratio("32 MiB in one chunk, upload cycle (lock, copy, unlock, address) vs bare `MemorySegment.copy`",
                    "TransferBenchmark.apiUploadCycle:" + CHUNK_32M, "TransferBenchmark.baseSegmentCopyHeap:" + CHUNK_32M,
                    false, 0.95, true),
            new Ratio("32 MiB in one chunk, off-heap upload, API `write(long, MemorySegment)` vs bare `MemorySegment.copy`",
                    "TransferBenchmark.apiWriteSegment:" + CHUNK_32M,
                    "TransferBenchmark.baseSegmentCopyOffHeap:" + CHUNK_32M, false, 0.95, true),
            new Ratio("32 MiB in one chunk, heap upload, API vs libc `memcpy` downcall",
                    "TransferBenchmark.apiWriteHeap:" + CHUNK_32M, "TransferBenchmark.baseMemcpy:" + CHUNK_32M,
                    false, 1.3, true),
            new Ratio("32 MiB in one chunk, off-heap upload, API vs libc `memcpy` downcall",
                    "TransferBenchmark.apiWriteSegment:" + CHUNK_32M, "TransferBenchmark.baseMemcpy:" + CHUNK_32M,
                    false, 1.3, true),
            new Ratio("32 MiB in one chunk, heap upload, API vs JNA `Pointer.write`",
                    "TransferBenchmark.apiWriteHeap:" + CHUNK_32M, "TransferBenchmark.baseJnaWrite:" + CHUNK_32M,
                    false, 1.3, true),
            new Ratio("32 MiB in 4 KiB chunks, heap upload, API vs libc `memcpy` downcall",
                    "TransferBenchmark.apiWriteHeap:" + CHUNK_4K, "TransferBenchmark.baseMemcpy:" + CHUNK_4K,
                    false, 1.3, true),
            new Ratio("32 MiB in 4 KiB chunks, off-heap upload, API vs libc `memcpy` downcall",
                    "TransferBenchmark.apiWriteSegment:" + CHUNK_4K, "TransferBenchmark.baseMemcpy:" + CHUNK_4K,
                    false, 1.3, true),
            new Ratio("32 MiB in 4 KiB chunks, heap upload, API vs JNA `Pointer.write`",
                    "TransferBenchmark.apiWriteHeap:" + CHUNK_4K, "TransferBenchmark.baseJnaWrite:" + CHUNK_4K,
                    false, 1.3, true),
            new Ratio("ioctl time, library `Libc.ioctl` vs bare FFM downcall (FIONREAD, pipe)",
                    "IoctlBenchmark.fionreadLibraryIoctl", "IoctlBenchmark.fionreadBareFfm", false, 1.10, false),
            new Ratio("ioctl time, library `Libc.ioctlOrErrno` vs bare FFM downcall (LOCK, /dev/null, ENOTTY)",
                    "IoctlBenchmark.enottyLibraryIoctlOrErrno", "IoctlBenchmark.enottyBareFfm", false, 1.10, false),
            new Ratio("ioctl speed-up, library `Libc.ioctl` over JNA direct mapping (FIONREAD, pipe)",
                    "IoctlBenchmark.fionreadLibraryIoctl", "IoctlBenchmark.fionreadJnaDirect", true, 1.4, true),
            new Ratio("ioctl speed-up, library `Libc.ioctlOrErrno` over JNA direct mapping (LOCK, /dev/null, ENOTTY)",
                    "IoctlBenchmark.enottyLibraryIoctlOrErrno", "IoctlBenchmark.enottyJnaDirect", true, 1.4, true));

    /** The benchmarks whose allocation the report shows (they promise none). */
    static final List<String> HOT_PATHS = List.of("IoctlBenchmark.enottyLibraryIoctlOrErrno",
            "IoctlBenchmark.fionreadLibraryIoctl", "IoctlBenchmark.fionreadLibraryIoctlOrErrno",
            "RegionLockBenchmark.lockUnlock", "RegionLockBenchmark.physicalAddress", "TransferBenchmark.apiUploadCycle",
            "TransferBenchmark.apiWriteHeap", "TransferBenchmark.apiWriteSegment", "TransferBenchmark.apiWriteByteBuffer",
            "TransferBenchmark.apiReadHeap");

    /** Keeps {@code json} as {@code BENCH_DIR/results/full.json} with this machine's description, and reports. */
    static void publish(Path json, Path benchDir) throws IOException {
        Path kept = benchDir.resolve("results");
        Files.createDirectories(kept);
        List<JmhResult> results = JmhResult.read(json);
        String jdk = results.isEmpty() ? System.getProperty("java.version") : results.get(0).jdk();
        Files.copy(json, kept.resolve("full.json"), StandardCopyOption.REPLACE_EXISTING);
        Environment.capture(jdk).write(kept.resolve("environment.txt"));
        report(benchDir);
    }

    /** Draws the chart and rewrites the README's generated part from {@code BENCH_DIR/results}. */
    static void report(Path benchDir) throws IOException {
        Path kept = benchDir.resolve("results");
        List<JmhResult> results = JmhResult.read(kept.resolve("full.json"));
        Environment env = Environment.read(kept.resolve("environment.txt"));
        Files.writeString(kept.resolve("throughput.svg"), ChartWriter.svg(ChartWriter.series(results), env.oneLine()));
        Path readme = benchDir.resolve("README.md");
        String text = Files.readString(readme);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IOException(readme + " has no " + BEGIN + " ... " + END + " section to fill");
        }
        Files.writeString(readme, text.substring(0, begin + BEGIN.length()) + "\n" + markdown(results, env)
                + text.substring(end));
        System.out.println("report: wrote " + kept.resolve("throughput.svg") + " and the results in " + readme);
    }

    static String markdown(List<JmhResult> results, Environment env) {
        Map<String, JmhResult> byKey = new LinkedHashMap<>();
        results.forEach(r -> byKey.put(r.key(), r));
        StringBuilder md = new StringBuilder();
        md.append("\nMeasured ").append(env.date()).append(" on ").append(env.cpu()).append(" (").append(env.cores())
                .append(" cores), Linux ").append(env.kernel()).append(", JDK ").append(env.jdk()).append(".\n\n");

        md.append("### Ratios against the targets\n\n");
        md.append("| comparison | measured | target | met |\n|---|---|---|---|\n");
        for (Ratio ratio : RATIOS) {
            JmhResult a = byKey.get(ratio.numerator());
            JmhResult b = byKey.get(ratio.denominator());
            String target = (ratio.higherIsBetter() ? "≥ " : "≤ ") + fmt(ratio.target()) + "x";
            if (a == null || b == null) {
                md.append("| ").append(ratio.what()).append(" | not measured | ").append(target).append(" | - |\n");
                continue;
            }
            double[] r = ratio.invert() ? quotient(b, a) : quotient(a, b);
            boolean met = ratio.higherIsBetter() ? r[0] >= ratio.target() : r[0] <= ratio.target();
            md.append("| ").append(ratio.what()).append(" | ").append(fmt(r[0])).append("x ± ").append(fmt(r[1]))
                    .append(" | ").append(target).append(" | ").append(met ? "yes" : "**no**").append(" |\n");
        }

        md.append("\n### Allocation on the library's paths\n\n");
        md.append("B/op (JVM): `-prof gc`'s `gc.alloc.rate.norm`, every thread of the JVM per operation. "
                + "B/call (thread): what the benchmark thread itself allocated per library call "
                + "(`ThreadAllocation`), free of the JVM's background allocation.\n\n");
        md.append("| benchmark | params | B/op (JVM) | B/call (thread) |\n|---|---|---|---|\n");
        for (JmhResult r : results) {
            String shortName = r.className() + "." + r.method();
            if (HOT_PATHS.contains(shortName)) {
                md.append("| ").append(shortName).append(" | ").append(params(r)).append(" | ").append(jvmAlloc(r))
                        .append(" | ").append(threadAlloc(r)).append(" |\n");
            }
        }

        List<ChartWriter.Series> series = ChartWriter.series(results);
        if (!series.isEmpty()) {
            TreeSet<Integer> chunks = new TreeSet<>();
            series.forEach(s -> chunks.addAll(s.points().keySet()));
            md.append("\n### Transfer throughput, GiB/s (each operation moves 32 MiB)\n\n");
            md.append("![throughput against chunk size](results/throughput.svg)\n\n| benchmark |");
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

    private static String jvmAlloc(JmhResult r) {
        JmhResult.Metric alloc = r.secondary().get(JmhResult.ALLOC_NORM);
        return alloc == null ? "-" : fmt(alloc.score());
    }

    private static String threadAlloc(JmhResult r) {
        return r.secondary().containsKey("calls") ? fmt(r.allocation()) : "-";
    }

    /** a/b with its error, combining the two relative errors in quadrature. */
    private static double[] quotient(JmhResult a, JmhResult b) {
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
