package dev.goldfishdma.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine a run was made on, quoted with every number: JDK (from the result file, i.e. the forked JVM),
 * CPU model, core count, kernel, date, and the device the benchmarks ran on with its memory mode
 * ({@link BenchDevice}). Saved beside the results so that a report regenerated later, or elsewhere, still
 * names the machine and device that made the numbers.
 */
record Environment(String jdk, String cpu, int cores, String kernel, String date, String device) {

    /** This machine now, with the JDK that ran the benchmarks and the device they ran on. */
    static Environment capture(String jdk, String device) throws IOException {
        String cpu = "unknown";
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                cpu = line.substring(line.indexOf(':') + 1).trim();
                break;
            }
        }
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        return new Environment(jdk, cpu, Runtime.getRuntime().availableProcessors(), kernel, date, device);
    }

    /** One line for a chart or a table caption. */
    String oneLine() {
        return "JDK " + jdk + ", " + cpu + " (" + cores + " cores), Linux " + kernel + ", " + date + "; " + device;
    }

    void write(Path file) throws IOException {
        Files.write(file, List.of("jdk=" + jdk, "cpu=" + cpu, "cores=" + cores, "kernel=" + kernel, "date=" + date,
                "device=" + device));
    }

    static Environment read(Path file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return new Environment(m.get("jdk"), m.get("cpu"), Integer.parseInt(m.getOrDefault("cores", "0")),
                m.get("kernel"), m.get("date"), m.getOrDefault("device", "not recorded"));
    }
}
