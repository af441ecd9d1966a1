package dev.goldfishdma.emulator.service;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log's budget: lines past it in a minute are dropped, and the next minute's first line says how many. */
class RateLimitedLogTest {
    private static final long SECOND = 1_000_000_000L;

    /** A logger that keeps its lines. */
    private static final class Lines implements System.Logger {
        final List<String> lines = new ArrayList<>();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(level + " " + msg + (thrown == null ? "" : " (" + thrown.getMessage() + ")"));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + format);
        }
    }

    @Test
    void aFloodIsCutAtTheBudgetAndTheDroppedLinesAreCountedNextMinute() {
        AtomicLong now = new AtomicLong(5 * SECOND);
        RateLimitedLog log = new RateLimitedLog(3, now::get);
        Lines logger = new Lines();
        int logged = 0;
        for (int i = 0; i < 1000; i++) {
            if (log.log(logger, System.Logger.Level.ERROR, "failure " + i, new IllegalStateException("bug " + i))) {
                logged++;
            }
            now.addAndGet(SECOND / 100);
        }
        assertEquals(3, logged, "1000 failures in 10 s, a budget of 3 a minute");
        assertEquals(List.of("ERROR failure 0 (bug 0)", "ERROR failure 1 (bug 1)", "ERROR failure 2 (bug 2)"), logger.lines);
        assertEquals(997, log.dropped());

        now.addAndGet(60 * SECOND);
        assertTrue(log.log(logger, System.Logger.Level.WARNING, "later"));
        assertEquals(List.of("WARNING 997 log line(s) dropped: more than 3 a minute", "WARNING later"),
                logger.lines.subList(3, 5));
        assertEquals(0, log.dropped());
    }

    @Test
    void aMinuteIsCountedFromItsFirstLineNotFromTheClockOfTheFlood() {
        AtomicLong now = new AtomicLong(0);
        RateLimitedLog log = new RateLimitedLog(1, now::get);
        Lines logger = new Lines();
        assertTrue(log.log(logger, System.Logger.Level.INFO, "a"));
        now.set(59 * SECOND);
        assertFalse(log.log(logger, System.Logger.Level.INFO, "b"), "still the first minute");
        now.set(60 * SECOND);
        assertTrue(log.log(logger, System.Logger.Level.INFO, "c"));
        assertEquals(List.of("INFO a", "WARNING 1 log line(s) dropped: more than 1 a minute", "INFO c"), logger.lines);
    }

    @Test
    void aBudgetBelowOneLineIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RateLimitedLog(0));
        assertTrue(e.getMessage().contains("log rate: 0"), e.getMessage());
    }
}
