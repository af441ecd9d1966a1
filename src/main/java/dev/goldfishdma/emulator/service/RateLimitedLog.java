package dev.goldfishdma.emulator.service;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The emulator's log of what its clients can cause (requests that failed, services that failed): at most
 * a set number of lines a minute, so that no client can fill the log. Lines past the limit are dropped and
 * counted; the first line let through afterwards is preceded by one saying how many were dropped. One
 * instance is the budget of one emulator, shared by every part that logs through it.
 */
public final class RateLimitedLog {
    /** The default budget: 60 lines a minute. */
    public static final int DEFAULT_LINES_PER_MINUTE = 60;
    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final int linesPerMinute;
    private final LongSupplier nanoClock;
    private long windowStart;
    private int linesInWindow;
    private long dropped;

    /**
     * A log letting through at most {@code linesPerMinute} lines in each minute.
     *
     * @param linesPerMinute the budget, at least 1
     * @throws IllegalArgumentException when {@code linesPerMinute} is below 1
     */
    public RateLimitedLog(int linesPerMinute) {
        this(linesPerMinute, System::nanoTime);
    }

    /** As {@link #RateLimitedLog(int)}, with the minutes counted on {@code nanoClock}. */
    RateLimitedLog(int linesPerMinute, LongSupplier nanoClock) {
        if (linesPerMinute < 1) {
            throw new IllegalArgumentException("log rate: " + linesPerMinute + " lines a minute; give at least 1");
        }
        this.linesPerMinute = linesPerMinute;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.windowStart = nanoClock.getAsLong();
    }

    /** {@return the budget, in lines a minute} */
    public int linesPerMinute() {
        return linesPerMinute;
    }

    /**
     * Logs {@code message} to {@code logger} unless this minute's budget is spent.
     *
     * @param logger  where the line goes
     * @param level   its level
     * @param message the line
     * @param thrown  the failure it reports (its stack trace goes with it), or null
     * @return whether the line was logged
     */
    public boolean log(System.Logger logger, System.Logger.Level level, String message, Throwable thrown) {
        long droppedBefore;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (now - windowStart >= MINUTE_NANOS) {
                windowStart = now;
                linesInWindow = 0;
            }
            if (linesInWindow >= linesPerMinute) {
                dropped++;
                return false;
            }
            linesInWindow++;
            droppedBefore = dropped;
            dropped = 0;
        }
        if (droppedBefore > 0) {
            logger.log(System.Logger.Level.WARNING, droppedBefore + " log line(s) dropped: more than "
                    + linesPerMinute + " a minute");
        }
        if (thrown == null) {
            logger.log(level, message);
        } else {
            logger.log(level, message, thrown);
        }
        return true;
    }

    /**
     * As {@link #log(System.Logger, System.Logger.Level, String, Throwable)} without a failure.
     *
     * @param logger  where the line goes
     * @param level   its level
     * @param message the line
     * @return whether the line was logged
     */
    public boolean log(System.Logger logger, System.Logger.Level level, String message) {
        return log(logger, level, message, null);
    }

    /** {@return the lines dropped since the last one let through} */
    public synchronized long dropped() {
        return dropped;
    }
}
