package dev.goldfishdma.emulator.service;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that do the services' work for every pipe: a fixed number ({@link ServiceLimits#threads()}),
 * however many pipes are open, each pipe getting a {@linkplain #lane lane} that runs its tasks in order.
 * Lanes take turns, one task a turn, so a pipe with much work queued does not hold up the others for more
 * than a task.
 *
 * <p>A task that throws ends up in its lane's failure handler, never in a lost thread: whoever waits for the
 * task's answer must get one (for a pipe, the handler closes it from the host side, which fails the guest's
 * waiting reads). The failure is logged through the emulator's {@link RateLimitedLog}.
 */
public final class ServiceThreads implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ServiceThreads.class.getName());
    private static final long IDLE_SECONDS = 30;

    private final ServiceLimits limits;
    private final RateLimitedLog log;
    private final ThreadPoolExecutor pool;

    /**
     * Threads within {@code limits}, started as work comes and ended after a while without any.
     *
     * @param limits the number of threads and the tasks a lane may queue
     * @param log    where failed tasks are reported
     */
    public ServiceThreads(ServiceLimits limits, RateLimitedLog log) {
        this.limits = limits;
        this.log = log;
        AtomicInteger number = new AtomicInteger();
        // The queue holds lanes waiting for a turn, each at most once: no more entries than open pipes.
        this.pool = new ThreadPoolExecutor(limits.threads(), limits.threads(), IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "goldfish-service-" + number.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
    }

    /** {@return the limits these threads keep} */
    public ServiceLimits limits() {
        return limits;
    }

    /** {@return the emulator's log, which failed tasks go to} */
    public RateLimitedLog log() {
        return log;
    }

    /**
     * A lane: an executor that runs its tasks one at a time, in order, on these threads. Its
     * {@link Executor#execute} refuses a task ({@link RejectedExecutionException}) when
     * {@link ServiceLimits#queuedCommands()} tasks are queued already, or these threads are closed.
     *
     * @param name      what the lane serves, for the log (e.g. {@code "pipe 7 (dma)"})
     * @param onFailure run after a task of the lane threw (the failure is logged first); it must not throw
     * @return the lane
     */
    public Executor lane(String name, Runnable onFailure) {
        return new Lane(name, onFailure);
    }

    /** Stops the threads; tasks not started are dropped. Idempotent. */
    @Override
    public void close() {
        pool.shutdownNow();
    }

    private final class Lane implements Executor {
        private final String name;
        private final Runnable onFailure;
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private boolean scheduled;

        Lane(String name, Runnable onFailure) {
            this.name = name;
            this.onFailure = onFailure;
        }

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                if (tasks.size() >= limits.queuedCommands()) {
                    throw new RejectedExecutionException(name + ": " + tasks.size() + " tasks queued already, the limit");
                }
                tasks.add(task);
                if (scheduled) {
                    return;
                }
                scheduled = true;
            }
            try {
                pool.execute(this::runOne);
            } catch (RejectedExecutionException e) {
                synchronized (this) {
                    tasks.clear();
                    scheduled = false;
                }
                throw e;
            }
        }

        /** One turn: the lane's next task, then back in line if more are queued. */
        private void runOne() {
            Runnable task;
            synchronized (this) {
                task = tasks.poll();
            }
            try {
                task.run();
            } catch (Throwable failure) {
                try {
                    log.log(LOG, System.Logger.Level.ERROR, "service task of " + name + " failed", failure);
                } finally {
                    onFailure.run();
                }
            } finally {
                boolean more;
                synchronized (this) {
                    more = !tasks.isEmpty();
                    scheduled = more;
                }
                if (more) {
                    try {
                        pool.execute(this::runOne);
                    } catch (RejectedExecutionException e) {
                        // Closed: the emulator is stopping and the pipes go with it.
                    }
                }
            }
        }
    }
}
