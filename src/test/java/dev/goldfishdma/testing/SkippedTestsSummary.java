package dev.goldfishdma.testing;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prints, when the test run ends, every test or test class that did not run and why: skipped for a missing
 * capability ({@link Capabilities#require}), aborted by an assumption, or disabled. Maven's own report
 * counts skips only as a number and keeps the reasons in the XML reports, so a run that skipped most of
 * the suite would otherwise look like a success. Registered for the JUnit Platform through
 * {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}.
 */
public final class SkippedTestsSummary implements TestExecutionListener {
    private final List<String> skipped = new ArrayList<>();
    private int testsRun;
    private long testsSkipped;
    private volatile TestPlan plan;
    // Tests that run test classes of their own under a launcher of their own (the JUnit extension's) get this
    // listener too: only the outermost run reports.
    private static final AtomicInteger RUNS = new AtomicInteger();
    private volatile boolean nested;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
        nested = RUNS.incrementAndGet() > 1;
    }

    /** A skip, printed at once and kept for the summary. */
    private void record(TestIdentifier identifier, String reason) {
        if (nested) {
            return;
        }
        String line = name(identifier, plan) + ": " + (reason == null || reason.isBlank() ? "(no reason given)" : reason);
        TestPlan current = plan;
        long tests = identifier.isTest() || current == null ? 1
                : Math.max(1, current.getDescendants(identifier).stream().filter(TestIdentifier::isTest).count());
        synchronized (skipped) {
            skipped.add(line);
            testsSkipped += tests;
        }
        console().println("SKIPPED " + line);
    }

    @Override
    public void executionSkipped(TestIdentifier identifier, String reason) {
        record(identifier, reason);
    }

    @Override
    public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            record(identifier, result.getThrowable().map(Throwable::getMessage).orElse(null));
        } else if (identifier.isTest()) {
            synchronized (skipped) {
                testsRun++;
            }
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        RUNS.decrementAndGet();
        if (nested) {
            return;
        }
        PrintStream out = console();
        synchronized (skipped) {
            if (skipped.isEmpty()) {
                out.println("Skipped tests: none (" + plural(testsRun, "test") + " ran)");
                return;
            }
            out.println();
            out.println("Skipped tests: " + testsSkipped + " did not run (" + plural(testsRun, "test") + " ran):");
            skipped.forEach(line -> out.println("  " + line));
            out.println();
        }
    }

    /** Class and method, as in Maven's report; a class-level skip covers all its tests. */
    private static String name(TestIdentifier identifier, TestPlan plan) {
        return identifier.getSource().map(source -> switch (source) {
            case MethodSource m -> simpleName(m.getClassName()) + "." + m.getMethodName()
                    + (identifier.getDisplayName().startsWith(m.getMethodName()) ? "" : " [" + identifier.getDisplayName() + "]");
            case ClassSource c -> simpleName(c.getClassName()) + " (" + (plan == null ? "all its tests"
                    : "all " + plural(plan.getDescendants(identifier).stream().filter(TestIdentifier::isTest).count(), "test"))
                    + ")";
            default -> identifier.getDisplayName();
        }).orElse(identifier.getDisplayName());
    }

    private static String plural(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    // Surefire hands each test's System.out to its report; stderr of the forked JVM reaches the console
    // whatever the reporting settings.
    private static PrintStream console() {
        return System.err;
    }
}
