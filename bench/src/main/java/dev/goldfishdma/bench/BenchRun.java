package dev.goldfishdma.bench;

import dev.goldfishdma.emulator.MemoryMode;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the benchmarks in one of two modes, then checks the results (and, for a full run, publishes them).
 *
 * <ul>
 * <li>{@code quick}: every benchmark once, briefly ({@code -f 1 -wi 0 -i 1}, 100 ms iterations, the four
 *     chunk sizes of the issue): a smoke test that each one runs and reports. Its numbers mean nothing.</li>
 * <li>{@code full}: the annotations' forks, warm-up and measurement, every chunk size; writes
 *     {@code results/full.json}, the chart and the tables of the benchmark README, and holds the hot paths
 *     to their allocation promise.</li>
 * </ul>
 * Both run with {@code -prof gc}. Exit status 0 when the check passes, 1 when it does not.
 *
 * <p>Before the run it finds the device the forks will use ({@link BenchDevice}) and prints it; a full run
 * names it, with its memory mode, in the results. Every fork's emulated device is held to the memory mode the
 * first one settled on.
 *
 * <p>Command line: {@code BenchRun --mode quick|full [--memory auto|passthrough|page-cache] --results DIR
 * --publish BENCH_DIR [JMH options]}; {@code --memory} (default: the system property
 * {@value MemoryMode#PROPERTY}, else {@code auto}) chooses an emulated device's memory mode; the JMH options
 * choose benchmarks (regular expressions, {@code -e}) or add profilers, and the check expects exactly what
 * they chose.
 */
public final class BenchRun {
    static final List<String> QUICK = List.of("-f", "1", "-wi", "0", "-i", "1", "-w", "100ms", "-r", "100ms",
            "-p", "chunk=4096,65536,1048576,33554432");

    /**
     * Paths that promise to allocate nothing. Any allocation per call is at least 16 bytes (an object header);
     * the half byte tolerated absorbs a one-off allocation in an iteration (a lazy initialization, a
     * deoptimization) spread over its calls.
     */
    static final List<ResultCheck.AllocLimit> ZERO_ALLOCATION = List.of(
            ResultCheck.AllocLimit.parse("IoctlBenchmark\\.(enotty|fionread)Library=0.5"),
            ResultCheck.AllocLimit.parse("RegionLockBenchmark\\.(lockUnlock|physicalAddress)=0.5"),
            ResultCheck.AllocLimit.parse("TransferBenchmark\\..*way=api=0.5"));

    private BenchRun() {
    }

    public static void main(String[] args) throws IOException {
        String mode = null;
        MemoryMode memory = MemoryMode.fromSystemProperty();
        Path results = Path.of("target/jmh");
        Path publish = Path.of("bench");
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mode" -> mode = args[++i];
                case "--memory" -> memory = MemoryMode.fromOptionName(args[++i]);
                case "--results" -> results = Path.of(args[++i]);
                case "--publish" -> publish = Path.of(args[++i]);
                default -> extra.add(args[i]);
            }
        }
        if (!"quick".equals(mode) && !"full".equals(mode)) {
            System.err.println("usage: BenchRun --mode quick|full [--memory auto|passthrough|page-cache] [--results DIR] "
                    + "[--publish BENCH_DIR] [JMH options]");
            System.exit(2);
        }
        boolean full = mode.equals("full");
        Files.createDirectories(results);
        Path json = results.resolve(mode + ".json");
        Files.deleteIfExists(json);

        BenchDevice device = BenchDevice.find(memory);
        System.out.println("device: " + device.description());

        List<String> jmhArgs = new ArrayList<>(full ? List.of() : QUICK);
        if (!extra.contains("-jvmArgsPrepend")) {
            jmhArgs.addAll(device.jmhOptions());
        }
        jmhArgs.addAll(List.of("-prof", "gc", "-foe", "false", "-rf", "json", "-rff", json.toString()));
        jmhArgs.addAll(extra);
        String[] argv = jmhArgs.toArray(String[]::new);
        System.out.println("JMH " + String.join(" ", argv));
        try {
            new Runner(new CommandLineOptions(argv)).run();
        } catch (CommandLineOptionException e) {
            System.err.println("bad JMH options " + Arrays.toString(argv) + ": " + e.getMessage());
            System.exit(2);
        } catch (RunnerException e) {
            System.err.println("JMH failed: " + e);
            e.printStackTrace();
        }
        if (!Files.exists(json)) {
            System.err.println("JMH wrote no results to " + json);
            System.exit(1);
        }
        if (full) {
            ReportWriter.publish(json, publish, device.description());
        }
        boolean ok = ResultCheck.check(json, full ? ZERO_ALLOCATION : List.of(), argv);
        System.exit(ok ? 0 : 1);
    }
}
