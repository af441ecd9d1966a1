package dev.goldfishdma.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One benchmark's entry in JMH's JSON result file ({@code -rf json}).
 *
 * @param benchmark the fully qualified method, e.g. {@code dev.goldfishdma.bench.TransferBenchmark.heapToRegion}
 * @param mode      JMH's short mode name: {@code thrpt}, {@code avgt}, {@code ss}...
 * @param params    the {@code @Param} values of this run, by name
 * @param primary   the score
 * @param samples   how many measurement samples the score is made of (all forks)
 * @param forks     each fork's score: the mean of its measurement iterations, in the order they ran
 * @param secondary the profilers' metrics, e.g. {@code gc.alloc.rate.norm}
 * @param jdk       JMH's {@code jdkVersion} and {@code vmName}/{@code vmVersion} of the forked JVM
 */
record JmhResult(String benchmark, String mode, Map<String, String> params, Metric primary, int samples,
                 List<Double> forks, Map<String, Metric> secondary, String jdk) {

    /** A score with its error (half the 99.9% confidence interval; NaN with too few samples) and unit. */
    record Metric(double score, double error, String unit) {
    }

    /** The JMH allocation profiler's bytes per operation, if {@code -prof gc} ran. */
    static final String ALLOC_NORM = "gc.alloc.rate.norm";

    /**
     * Heap bytes allocated per library call by the benchmark thread ({@link ThreadAllocation}), where the
     * benchmark counts them, otherwise JMH's {@code gc.alloc.rate.norm} (all threads, per operation); NaN
     * when neither was measured.
     */
    double allocation() {
        if (countsCalls()) {
            return secondary.get("allocatedBytes").score() / secondary.get("calls").score();
        }
        Metric norm = secondary.get(ALLOC_NORM);
        return norm == null ? Double.NaN : norm.score();
    }

    /**
     * Whether the benchmark counted its library calls and the thread's allocation ({@link ThreadAllocation}); a
     * baseline that shares a benchmark method with the API's ways has the counters but counts nothing.
     */
    boolean countsCalls() {
        Metric calls = secondary.get("calls");
        return calls != null && calls.score() > 0 && secondary.containsKey("allocatedBytes");
    }

    /** What {@link #allocation()} is: "B/call (thread)" or "B/op (JVM)". */
    String allocationUnit() {
        return countsCalls() ? "B/call (thread)" : "B/op (JVM)";
    }

    /**
     * The way it was measured, for tables and charts: the method, followed by its {@code way} parameter where
     * it has one (e.g. {@code writeHeap/apiArray}).
     */
    String label() {
        String way = params.get("way");
        return way == null ? method() : method() + "/" + way;
    }

    /** Whether it went through the library: a transfer way named {@code api...}, not a baseline. */
    boolean throughLibrary() {
        String way = params.get("way");
        return way != null && way.startsWith("api");
    }

    /** The method name without its class, e.g. {@code heapToRegion}. */
    String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** The simple class name, e.g. {@code TransferBenchmark}. */
    String className() {
        String type = benchmark.substring(0, benchmark.lastIndexOf('.'));
        return type.substring(type.lastIndexOf('.') + 1);
    }

    /** {@code Class.method} followed by the parameters, the key the checker compares. */
    String key() {
        return key(className() + "." + method(), params);
    }

    static String key(String shortName, Map<String, String> params) {
        StringBuilder b = new StringBuilder(shortName);
        new TreeMap<>(params).forEach((k, v) -> b.append(b.indexOf(":") < 0 ? ":" : ",").append(k).append('=').append(v));
        return b.toString();
    }

    String param(String name) {
        return params.get(name);
    }

    /** Reads every entry of a JMH JSON result file. */
    static List<JmhResult> read(Path file) throws IOException {
        Object root = Json.parse(Files.readString(file));
        if (!(root instanceof List<?> entries)) {
            throw new IOException(file + " is not a JMH JSON result file: its top level is not an array");
        }
        List<JmhResult> results = new ArrayList<>();
        for (Object entry : entries) {
            results.add(fromJson(asMap(entry)));
        }
        return results;
    }

    private static JmhResult fromJson(Map<String, Object> e) {
        Map<String, String> params = new LinkedHashMap<>();
        if (e.get("params") instanceof Map<?, ?> p) {
            p.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
        }
        Map<String, Object> primary = asMap(e.get("primaryMetric"));
        int samples = 0;
        List<Double> forkScores = new ArrayList<>();
        if (primary.get("rawData") instanceof List<?> forks) {
            for (Object fork : forks) {
                List<?> iterations = (List<?>) fork;
                samples += iterations.size();
                double sum = 0;
                for (Object iteration : iterations) {
                    sum += number(iteration);
                }
                if (!iterations.isEmpty()) {
                    forkScores.add(sum / iterations.size());
                }
            }
        }
        Map<String, Metric> secondary = new LinkedHashMap<>();
        if (e.get("secondaryMetrics") instanceof Map<?, ?> s) {
            s.forEach((k, v) -> secondary.put(String.valueOf(k), metric(asMap(v))));
        }
        String jdk = e.get("jdkVersion") + " (" + e.get("vmName") + " " + e.get("vmVersion") + ")";
        return new JmhResult(String.valueOf(e.get("benchmark")), String.valueOf(e.get("mode")),
                Collections.unmodifiableMap(params), metric(primary), samples, List.copyOf(forkScores),
                Collections.unmodifiableMap(secondary), jdk);
    }

    private static Metric metric(Map<String, Object> m) {
        return new Metric(number(m.get("score")), number(m.get("scoreError")), String.valueOf(m.get("scoreUnit")));
    }

    // JMH writes NaN and infinities as strings.
    private static double number(Object o) {
        if (o instanceof Double d) {
            return d;
        }
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException("JMH result: expected an object, found " + o);
    }
}
