package dev.goldfishdma.bench;

import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.SortedSet;

/**
 * The results a run must produce: every benchmark the annotation processor compiled into
 * {@code META-INF/BenchmarkList} that the run's include and exclude patterns select, once for every
 * combination of its {@code @Param} values (the command line's {@code -p} replacing the annotation's).
 *
 * <p>Taking the list from the compiled benchmarks rather than from a list kept by hand means a new benchmark is
 * checked from the day it is written, and one that stops running is noticed.
 */
final class ExpectedBenchmarks {
    private ExpectedBenchmarks() {
    }

    /** The keys ({@link JmhResult#key()}) that a run with {@code options} must report. */
    static SortedSet<String> of(Options options) {
        OutputFormat silent = OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT);
        List<String> includes = options.getIncludes().isEmpty() ? List.of(".*") : options.getIncludes();
        SortedSet<String> keys = new TreeSet<>();
        for (BenchmarkListEntry entry : BenchmarkList.defaultList().find(silent, includes, options.getExcludes())) {
            String name = entry.getUsername();
            String shortName = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            Map<String, String[]> params = new LinkedHashMap<>();
            if (entry.getParams().hasValue()) {
                params.putAll(entry.getParams().get());
            }
            params.replaceAll((param, values) -> options.getParameter(param).hasValue()
                    ? options.getParameter(param).get().toArray(String[]::new) : values);
            for (Map<String, String> combination : combinations(params)) {
                keys.add(JmhResult.key(shortName, combination));
            }
        }
        return keys;
    }

    private static List<Map<String, String>> combinations(Map<String, String[]> params) {
        List<Map<String, String>> result = new ArrayList<>();
        result.add(new LinkedHashMap<>());
        for (Map.Entry<String, String[]> param : params.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> partial : result) {
                for (String value : param.getValue()) {
                    Map<String, String> extended = new LinkedHashMap<>(partial);
                    extended.put(param.getKey(), value);
                    next.add(extended);
                }
            }
            result = next;
        }
        return result;
    }
}
