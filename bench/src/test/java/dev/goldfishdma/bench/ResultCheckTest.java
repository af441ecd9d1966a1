package dev.goldfishdma.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The result checker on JMH JSON written here, so that a quick benchmark run can be trusted to fail. */
class ResultCheckTest {
    private static String entry(String method, String chunk, String score, String alloc) {
        String params = chunk == null ? "" : "\"params\" : { \"chunk\" : \"" + chunk + "\" },";
        String secondary = alloc == null ? "{}" : "{ \"gc.alloc.rate.norm\" : { \"score\" : " + alloc
                + ", \"scoreError\" : \"NaN\", \"scoreUnit\" : \"B/op\", \"rawData\" : [ [ " + alloc + " ] ] } }";
        return "{ \"jmhVersion\" : \"1.37\", \"benchmark\" : \"dev.goldfishdma.bench." + method + "\", \"mode\" : \"thrpt\","
                + " \"jdkVersion\" : \"25\", \"vmName\" : \"VM\", \"vmVersion\" : \"25+1\", " + params
                + " \"primaryMetric\" : { \"score\" : " + score + ", \"scoreError\" : \"NaN\", \"scoreUnit\" : \"ops/s\","
                + " \"rawData\" : [ [ 1.0, 2.0 ], [ 3.0 ] ] }, \"secondaryMetrics\" : " + secondary + " }";
    }

    private static List<JmhResult> parse(Path dir, String... entries) throws IOException {
        Path file = dir.resolve("results.json");
        Files.writeString(file, "[\n" + String.join(",\n", entries) + "\n]\n");
        return JmhResult.read(file);
    }

    private static final Set<String> EXPECTED = Set.of("TransferBenchmark.apiWriteHeap:chunk=4096",
            "TransferBenchmark.apiWriteHeap:chunk=65536", "IoctlBenchmark.enottyBareFfm");

    @Test
    void completeResultsPass(@TempDir Path dir) throws IOException {
        List<JmhResult> results = parse(dir, entry("TransferBenchmark.apiWriteHeap", "4096", "10.5", "0.0"),
                entry("TransferBenchmark.apiWriteHeap", "65536", "11.5", "0.0"),
                entry("IoctlBenchmark.enottyBareFfm", null, "250.0", null));
        assertEquals(List.of(), ResultCheck.problems(results, EXPECTED, List.of()));
        JmhResult first = results.get(0);
        assertEquals("TransferBenchmark.apiWriteHeap:chunk=4096", first.key());
        assertEquals(3, first.samples());
        assertEquals(List.of(1.5, 3.0), first.forks());
        assertEquals(10.5, first.primary().score());
        assertTrue(Double.isNaN(first.primary().error()));
        assertEquals("25 (VM 25+1)", first.jdk());
    }

    @Test
    void aMissingBenchmarkFails(@TempDir Path dir) throws IOException {
        List<JmhResult> results = parse(dir, entry("TransferBenchmark.apiWriteHeap", "4096", "10.5", null),
                entry("IoctlBenchmark.enottyBareFfm", null, "250.0", null));
        assertEquals(List.of("missing (it threw, or did not run): TransferBenchmark.apiWriteHeap:chunk=65536"),
                ResultCheck.problems(results, EXPECTED, List.of()));
    }

    @Test
    void aScoreThatIsNoNumberFails(@TempDir Path dir) throws IOException {
        List<JmhResult> results = parse(dir, entry("TransferBenchmark.apiWriteHeap", "4096", "\"NaN\"", null),
                entry("TransferBenchmark.apiWriteHeap", "65536", "11.5", null),
                entry("IoctlBenchmark.enottyBareFfm", null, "250.0", null));
        List<String> problems = ResultCheck.problems(results, EXPECTED, List.of());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("score is NaN"), problems.get(0));
    }

    @Test
    void allocationAboveTheLimitFails(@TempDir Path dir) throws IOException {
        List<JmhResult> results = parse(dir, entry("TransferBenchmark.apiWriteHeap", "4096", "10.5", "0.01"),
                entry("TransferBenchmark.apiWriteHeap", "65536", "11.5", "48.0"),
                entry("IoctlBenchmark.enottyBareFfm", null, "250.0", null));
        List<String> problems = ResultCheck.problems(results, EXPECTED,
                List.of(ResultCheck.AllocLimit.parse("apiWriteHeap=0.5"), ResultCheck.AllocLimit.parse("enotty=1")));
        assertEquals(List.of("no allocation measured (run with -prof gc): IoctlBenchmark.enottyBareFfm",
                "allocates 48.000 B/op (JVM), more than 0.5: TransferBenchmark.apiWriteHeap:chunk=65536"), problems);
    }

    @Test
    void theThreadsOwnCountWinsOverTheJvmWideFigure(@TempDir Path dir) throws IOException {
        String quiet = entry("TransferBenchmark.apiUploadCycle", "4096", "3.0", "50000.0").replace(
                "\"secondaryMetrics\" : {", "\"secondaryMetrics\" : { \"allocatedBytes\" : { \"score\" : 0.0 },"
                        + " \"calls\" : { \"score\" : 81920.0 },");
        String noisy = entry("TransferBenchmark.apiUploadCycle", "65536", "3.0", "0.0").replace(
                "\"secondaryMetrics\" : {", "\"secondaryMetrics\" : { \"allocatedBytes\" : { \"score\" : 40960.0 },"
                        + " \"calls\" : { \"score\" : 2048.0 },");
        List<JmhResult> results = parse(dir, quiet, noisy);
        assertEquals(0.0, results.get(0).allocation());
        assertEquals("B/call (thread)", results.get(0).allocationUnit());
        assertEquals(List.of("allocates 20.000 B/call (thread), more than 0.5: TransferBenchmark.apiUploadCycle:chunk=65536"),
                ResultCheck.problems(results, Set.of(), List.of(ResultCheck.AllocLimit.parse("apiUploadCycle=0.5"))));
    }

    /** A TransferBenchmark entry: one way of one of its benchmarks at one chunk size. */
    private static String transfer(String benchmark, String chunk, String way, String score, String alloc) {
        return entry("TransferBenchmark." + benchmark, chunk, score, alloc)
                .replace("\"chunk\" : \"" + chunk + "\"", "\"chunk\" : \"" + chunk + "\", \"way\" : \"" + way + "\"");
    }

    @Test
    void theFullRunHoldsTheApisWaysToNoAllocationAndNotTheBaselines(@TempDir Path dir) throws IOException {
        List<JmhResult> results = parse(dir, transfer("writeHeap", "4096", "apiArray", "10.5", "0.0"),
                transfer("writeNative", "4096", "apiDirectBuffer", "10.5", "72.0"),
                transfer("writeHeap", "4096", "memcpy", "10.5", "64.0"),
                transfer("readHeap", "4096", "segmentCopy", "10.5", "16.0"));
        assertEquals("TransferBenchmark.writeNative:chunk=4096,way=apiDirectBuffer", results.get(1).key());
        assertEquals(List.of("allocates 72.000 B/op (JVM), more than 0.5: "
                + "TransferBenchmark.writeNative:chunk=4096,way=apiDirectBuffer"),
                ResultCheck.problems(results, Set.of(), BenchRun.ZERO_ALLOCATION));
    }

    @Test
    void theChartHasALinePerWayOfTransferring(@TempDir Path dir) throws IOException {
        List<JmhResult> results = parse(dir, transfer("writeHeap", "4096", "apiArray", "100", null),
                transfer("writeHeap", "65536", "apiArray", "200", null),
                transfer("writeHeap", "4096", "memcpy", "150", null),
                entry("IoctlBenchmark.enottyBareFfm", null, "250.0", null));
        List<ChartWriter.Series> series = ChartWriter.series(results);
        assertEquals(List.of("writeHeap/apiArray", "writeHeap/memcpy"), series.stream().map(ChartWriter.Series::name).toList());
        assertTrue(series.get(0).api());
        assertFalse(series.get(1).api());
        assertEquals(200.0 / 32, series.get(0).points().get(65536)[0], 1e-9);
        String svg = ChartWriter.svg(series, "caption <x>");
        assertTrue(svg.startsWith("<svg"), svg);
        assertEquals(2, svg.split("<polyline").length - 1);
        assertEquals(1, svg.split("<polyline[^>]*stroke-dasharray").length - 1, "one dashed baseline");
        assertTrue(svg.contains("caption &lt;x&gt;"));
        assertTrue(svg.contains("64 KiB"));
        assertFalse(svg.contains("NaN"));
    }

    @Test
    void jsonEscapesAndNumbersParse() {
        Object parsed = Json.parse("{\"a\": [1, -2.5e3, true, null, \"q\\\"\\u0041\\n\"]}");
        assertEquals(java.util.Map.of("a", java.util.Arrays.asList(1.0, -2500.0, true, null, "q\"A\n")), parsed);
    }
}
