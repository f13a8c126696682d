package io.paystream.processor.health;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides from successive observations of the stream threads whether records are really being processed, not only
 * whether Kafka Streams says RUNNING. A thread is stalled when it is deadlocked, when it has not polled for
 * {@code timeout} (blocked on a lock, stuck in a call, looping inside a processor), or when records wait for it
 * (lag above zero) and it has processed none of them for {@code timeout} while no store is restoring (a restoring
 * task's input is paused on purpose). The processor is also stalled when a store restores and no restore has moved
 * for {@code timeout}: an open transaction that never ends (a hanging transaction) holds a changelog back, and the
 * task waits behind it for ever. Not thread-safe: one caller observes.
 */
public final class StallDetector {
    private final long timeoutMs;
    private final Map<String, Seen> threads = new HashMap<>();
    private long restoreProgress = -1;
    private long restoreMovedMs;

    public StallDetector(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        this.timeoutMs = timeout.toMillis();
    }

    /**
     * What one stream thread reported, from Kafka Streams' own metrics.
     *
     * @param thread the thread's name (the metrics' {@code thread-id})
     * @param polls how many times it has polled ({@code poll-total})
     * @param processed how many records it has processed ({@code process-total})
     * @param lag records waiting in its assigned input partitions ({@code records-lag} of its consumer)
     */
    public record ThreadProgress(String thread, double polls, double processed, long lag) {
    }

    /**
     * Where this instance's restores stand.
     *
     * @param active whether a store is restoring from its changelog, when waiting records are expected to wait
     * @param progress a count that moves whenever a restore starts, applies a batch, ends or is suspended
     * @param where the restoring changelogs and where each stands, for the reason
     */
    public record Restores(boolean active, long progress, String where) {
        /** No store restores. */
        public static final Restores NONE = new Restores(false, 0, "");
    }

    /** Not stalled, or stalled with the reason in words. */
    public record Verdict(boolean stalled, String reason) {
        static final Verdict PROGRESSING = new Verdict(false, "every stream thread is making progress");
    }

    /**
     * Takes one observation and decides.
     *
     * @param nowMs a monotonic time in milliseconds
     * @param running whether the client is RUNNING or REBALANCING, when its threads are expected to loop
     * @param restores where the restores stand
     * @param progress every live stream thread's counters
     * @param deadlocked the names of threads the JVM reports as deadlocked
     */
    public Verdict observe(long nowMs, boolean running, Restores restores, List<ThreadProgress> progress,
            Set<String> deadlocked) {
        boolean restoring = restores.active();
        if (!restoring || restores.progress() != restoreProgress) {
            restoreProgress = restores.progress();
            restoreMovedMs = nowMs;
        }
        threads.keySet().retainAll(progress.stream().map(ThreadProgress::thread).toList());
        Verdict verdict = Verdict.PROGRESSING;
        for (ThreadProgress now : progress) {
            Seen seen = threads.computeIfAbsent(now.thread(), name -> new Seen(now, nowMs));
            seen.update(now, nowMs, restoring);
            if (verdict.stalled()) {
                continue; // the first stalled thread names the stall
            }
            if (deadlocked.contains(now.thread())) {
                verdict = new Verdict(true, "stream thread " + now.thread() + " is deadlocked");
            } else if (running && nowMs - seen.pollChangedMs >= timeoutMs) {
                verdict = new Verdict(true, "stream thread " + now.thread() + " has not polled for "
                        + seconds(nowMs - seen.pollChangedMs));
            } else if (running && !restoring && now.lag() > 0 && nowMs - seen.progressMs >= timeoutMs) {
                verdict = new Verdict(true, "stream thread " + now.thread() + " has " + now.lag()
                        + " records waiting and processed none for " + seconds(nowMs - seen.progressMs));
            }
        }
        if (!verdict.stalled() && running && restoring && nowMs - restoreMovedMs >= timeoutMs) {
            verdict = new Verdict(true, "restoring " + restores.where() + " has not moved for "
                    + seconds(nowMs - restoreMovedMs) + "; an open transaction that never ended may hold the "
                    + "changelog back (docs/processor.md, \"Stalls\")");
        }
        return verdict;
    }

    private static String seconds(long ms) {
        return (ms / 1_000) + " s";
    }

    /** The last counters of one thread and when they last moved. */
    private static final class Seen {
        private ThreadProgress last;
        private long pollChangedMs;
        private long progressMs;

        Seen(ThreadProgress first, long nowMs) {
            this.last = first;
            this.pollChangedMs = nowMs;
            this.progressMs = nowMs;
        }

        void update(ThreadProgress now, long nowMs, boolean restoring) {
            if (now.polls() != last.polls()) {
                pollChangedMs = nowMs;
            }
            // Progress is a processed record, or nothing left to process, or a restore that holds the records back.
            if (now.processed() != last.processed() || now.lag() == 0 || restoring) {
                progressMs = nowMs;
            }
            last = now;
        }
    }
}
