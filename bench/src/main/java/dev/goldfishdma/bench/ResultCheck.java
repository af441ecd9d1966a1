package dev.goldfishdma.bench;

import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a JMH JSON result file: every expected benchmark is there with a finite score made of at least one
 * sample. JMH leaves a benchmark that threw out of the file and still exits 0, so a missing entry is how a
 * failure shows; nothing here judges speed.
 *
 * <p>Optionally (full runs) it also holds allocation-free paths to their promise: each {@code --max-alloc
 * REGEX=BYTES} fails the check when a benchmark whose key matches allocated more than {@code BYTES} per
 * call ({@link JmhResult#allocation()}: the benchmark thread's count where the benchmark keeps one,
 * otherwise {@code gc.alloc.rate.norm} per operation from {@code -prof gc}).
 *
 * <p>Command line: {@code ResultCheck RESULTS.json [--max-alloc REGEX=BYTES]... [JMH options]}; the JMH
 * options (include patterns, {@code -e}, {@code -p}) say which benchmarks the run was asked for.
 * Exit status 0 when all is well, 1 with the problems listed otherwise.
 */
public final class ResultCheck {
    private ResultCheck() {
    }

    /** An allocation limit on the benchmarks whose key matches {@code pattern}. */
    record AllocLimit(Pattern pattern, double maxBytesPerOp) {
        static AllocLimit parse(String spec) {
            int eq = spec.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--max-alloc takes REGEX=BYTES, not " + spec);
            }
            return new AllocLimit(Pattern.compile(spec.substring(0, eq)), Double.parseDouble(spec.substring(eq + 1)));
        }
    }

    /**
     * The problems found, one line each; empty when the results are complete.
     *
     * @param expected keys as {@link JmhResult#key()} gives them
     */
    static List<String> problems(List<JmhResult> results, Set<String> expected, List<AllocLimit> limits) {
        List<String> problems = new ArrayList<>();
        Map<String, JmhResult> byKey = new java.util.TreeMap<>();
        for (JmhResult r : results) {
            if (byKey.put(r.key(), r) != null) {
                problems.add("reported twice: " + r.key());
            }
        }
        for (String key : expected) {
            if (!byKey.containsKey(key)) {
                problems.add("missing (it threw, or did not run): " + key);
            }
        }
        for (JmhResult r : byKey.values()) {
            if (r.samples() == 0) {
                problems.add("no samples: " + r.key());
            }
            double score = r.primary().score();
            if (!Double.isFinite(score) || score < 0) {
                problems.add("score is " + score + ": " + r.key());
            }
            for (AllocLimit limit : limits) {
                if (!limit.pattern().matcher(r.key()).find()) {
                    continue;
                }
                double alloc = r.allocation();
                if (Double.isNaN(alloc)) {
                    problems.add("no allocation measured (run with -prof gc): " + r.key());
                } else if (!(alloc <= limit.maxBytesPerOp())) {
                    problems.add(String.format("allocates %.3f %s, more than %s: %s", alloc, r.allocationUnit(),
                            limit.maxBytesPerOp(), r.key()));
                }
            }
        }
        return problems;
    }

    /**
     * Checks {@code file} against the benchmarks that JMH options {@code jmhArgs} select, printing the verdict.
     *
     * @return whether the results are complete
     */
    static boolean check(Path file, List<AllocLimit> limits, String... jmhArgs) throws IOException {
        Set<String> expected;
        try {
            expected = ExpectedBenchmarks.of(new CommandLineOptions(jmhArgs));
        } catch (CommandLineOptionException e) {
            throw new IllegalArgumentException("bad JMH options " + Arrays.toString(jmhArgs) + ": " + e.getMessage(), e);
        }
        List<JmhResult> results = JmhResult.read(file);
        List<String> problems = problems(results, expected, limits);
        if (problems.isEmpty()) {
            System.out.printf("result check: %d of %d expected benchmarks present in %s, all with finite scores%s%n",
                    expected.size(), expected.size(), file, limits.isEmpty() ? "" : ", allocation limits kept");
            return true;
        }
        System.out.printf("result check FAILED for %s (%d results, %d expected):%n", file, results.size(), expected.size());
        problems.forEach(p -> System.out.println("  " + p));
        return false;
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: ResultCheck RESULTS.json [--max-alloc REGEX=BYTES]... [JMH options]");
            System.exit(2);
        }
        List<AllocLimit> limits = new ArrayList<>();
        List<String> jmhArgs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--max-alloc") && i + 1 < args.length) {
                limits.add(AllocLimit.parse(args[++i]));
            } else {
                jmhArgs.add(args[i]);
            }
        }
        System.exit(check(Path.of(args[0]), limits, jmhArgs.toArray(String[]::new)) ? 0 : 1);
    }
}
