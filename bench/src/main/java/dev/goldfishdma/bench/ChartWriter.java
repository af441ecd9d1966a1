package dev.goldfishdma.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Draws transfer throughput against chunk size from JMH's JSON as a standalone SVG: one line per way of
 * moving the 32 MiB region, the library's API solid, the baselines dashed, with the score's error as a bar.
 * Written by hand because the chart is simple and the project takes no plotting dependency for it.
 *
 * <p>Command line: {@code ChartWriter RESULTS.json OUT.svg [caption]}.
 */
public final class ChartWriter {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
            "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"};
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 560;
    private static final int LEFT = 70;
    private static final int RIGHT = 250;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;

    private ChartWriter() {
    }

    /** Throughput in GiB/s of one transfer result: each operation moves the whole region. */
    static double gibPerSecond(double opsPerSecond) {
        return opsPerSecond * DeviceRegion.SIZE / (1024.0 * 1024 * 1024);
    }

    /** One line of the chart: chunk size to score (GiB/s) and error. */
    record Series(String name, boolean api, TreeMap<Integer, double[]> points) {
    }

    /** The transfer results as series, in the order their benchmarks first appear. */
    static List<Series> series(List<JmhResult> results) {
        return series(results, method -> true);
    }

    /** The transfer results of the benchmark methods {@code methods} accepts, as series. */
    static List<Series> series(List<JmhResult> results, java.util.function.Predicate<String> methods) {
        Map<String, Series> byMethod = new java.util.LinkedHashMap<>();
        for (JmhResult r : results) {
            if (!r.className().equals("TransferBenchmark") || r.param("chunk") == null || !methods.test(r.method())) {
                continue;
            }
            Series s = byMethod.computeIfAbsent(r.label(), m -> new Series(m, r.throughLibrary(), new TreeMap<>()));
            double error = Double.isFinite(r.primary().error()) ? gibPerSecond(r.primary().error()) : 0;
            s.points().put(Integer.parseInt(r.param("chunk")), new double[] {gibPerSecond(r.primary().score()), error});
        }
        return new ArrayList<>(byMethod.values());
    }

    static String svg(List<Series> series, String caption) {
        return svg(series, null, caption);
    }

    /** The chart of {@code series}; {@code what} (e.g. "writes"), if not null, goes in the title. */
    static String svg(List<Series> series, String what, String caption) {
        int minChunk = Integer.MAX_VALUE;
        int maxChunk = 0;
        double maxY = 0;
        for (Series s : series) {
            for (Map.Entry<Integer, double[]> p : s.points().entrySet()) {
                minChunk = Math.min(minChunk, p.getKey());
                maxChunk = Math.max(maxChunk, p.getKey());
                maxY = Math.max(maxY, p.getValue()[0] + p.getValue()[1]);
            }
        }
        if (series.isEmpty() || maxChunk == 0) {
            throw new IllegalArgumentException("no TransferBenchmark results to draw");
        }
        double yStep = niceStep(maxY / 6);
        double yMax = Math.ceil(maxY / yStep) * yStep;
        double logMin = log2(minChunk);
        double logMax = Math.max(log2(maxChunk), logMin + 1);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        java.util.function.DoubleUnaryOperator x = c -> LEFT + (log2(c) - logMin) / (logMax - logMin) * plotW;
        java.util.function.DoubleUnaryOperator y = v -> TOP + plotH - v / yMax * plotH;

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        out.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">"
                + "Moving a 32 MiB DMA region%s: throughput against chunk size</text>%n", LEFT,
                what == null ? "" : ", " + escape(what)));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"42\" fill=\"#555\">%s</text>%n", LEFT, escape(caption)));

        for (double v = 0; v <= yMax + yStep / 2; v += yStep) {
            double py = y.applyAsDouble(v);
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, py, LEFT + plotW, py));
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, py + 4, trim(v)));
        }
        for (int c = minChunk; c <= maxChunk; c *= 2) {
            double px = x.applyAsDouble(c);
            out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    px, TOP, px, TOP + plotH));
            out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px, TOP + plotH + 18, size(c)));
        }
        out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#333\"/>%n", LEFT, TOP, plotW, plotH));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">chunk size (bytes per "
                + "call; every operation moves the whole 32 MiB)</text>%n", LEFT + plotW / 2, HEIGHT - 22));
        out.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %d) rotate(-90)\" text-anchor=\"middle\">"
                + "throughput (GiB/s)</text>%n", TOP + plotH / 2));

        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String colour = COLOURS[i % COLOURS.length];
            String dash = s.api() ? "" : " stroke-dasharray=\"6 4\"";
            StringBuilder points = new StringBuilder();
            for (Map.Entry<Integer, double[]> p : s.points().entrySet()) {
                double px = x.applyAsDouble(p.getKey());
                double[] v = p.getValue();
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, y.applyAsDouble(v[0])));
                if (v[1] > 0) {
                    out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                            + "stroke=\"%s\" stroke-width=\"1\"/>%n", px, y.applyAsDouble(Math.max(0, v[0] - v[1])), px,
                            y.applyAsDouble(v[0] + v[1]), colour));
                }
                out.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                        px, y.applyAsDouble(v[0]), colour));
            }
            out.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s/>%n",
                    points.toString().trim(), colour, s.api() ? "2.5" : "1.5", dash));
            int ly = TOP + 10 + i * 22;
            int lx = LEFT + plotW + 16;
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"%s\"%s/>%n", lx, ly, lx + 30, ly, colour, s.api() ? "2.5" : "1.5", dash));
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", lx + 36, ly + 4,
                    escape(s.name())));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">solid: the library's API</text>%n",
                LEFT + plotW + 16, TOP + 20 + series.size() * 22));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">dashed: baselines</text>%n",
                LEFT + plotW + 16, TOP + 38 + series.size() * 22));
        out.append("</svg>\n");
        return out.toString();
    }

    static String size(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " B";
    }

    private static double niceStep(double rough) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double f : new double[] {1, 2, 2.5, 5, 10}) {
            if (f * magnitude >= rough) {
                return f * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ChartWriter RESULTS.json OUT.svg [caption]");
            System.exit(2);
        }
        String caption = args.length > 2 ? args[2] : "";
        Files.writeString(Path.of(args[1]), svg(series(JmhResult.read(Path.of(args[0]))), null, caption));
    }
}
