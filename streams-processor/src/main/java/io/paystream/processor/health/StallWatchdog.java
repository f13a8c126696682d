package io.paystream.processor.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches whether the stream threads really process records ({@link StallDetector}), from Kafka Streams' own metrics
 * and the JVM's deadlock detection, never from anything a stuck thread holds: reading a metric or a thread dump takes
 * none of the stream thread's locks. Publishes {@code paystream_processor_stalled} (0 or 1),
 * {@code paystream_processor_stall_seconds} and {@code paystream_processor_stalls_total}, answers the health check, and after {@code exitAfter} of continuous stall
 * calls {@code exit} with {@link #EXIT_CODE}, so that a supervisor (make run's launcher, Kubernetes) starts a fresh
 * process. Under exactly-once that is as safe as a crash: the open transaction aborts and the new process resumes from
 * the last commit. Call {@link #check()} on a schedule.
 */
public final class StallWatchdog {
    /** EX_SOFTWARE from sysexits.h: the process gave up on an internal error; not a clean stop. */
    public static final int EXIT_CODE = 70;
    private static final Logger LOG = LoggerFactory.getLogger(StallWatchdog.class);
    private static final String THREAD_GROUP = "stream-thread-metrics";
    private static final String FETCH_GROUP = "consumer-fetch-manager-metrics";
    /** A stream thread's main consumer is {@code <thread name>-consumer}; its restore consumer must not count. */
    private static final String MAIN_CONSUMER_SUFFIX = "-consumer";
    private static final String RESTORE_CONSUMER_SUFFIX = "-restore-consumer";

    private final Supplier<KafkaStreams> streams;
    private final Supplier<StallDetector.Restores> restores;
    private final StallDetector detector;
    private final long exitAfterMs;
    private final IntConsumer exit;
    private final LongSupplier nanoTime;
    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
    private final Counter stalls;
    private volatile StallDetector.Verdict verdict = StallDetector.Verdict.PROGRESSING;
    private volatile long stalledSinceMs = -1;
    private volatile long lastCheckMs;
    private boolean exitCalled;

    /**
     * @param restores where this instance's restores from changelogs stand now
     * @param exitAfter how long a stall may last before {@code exit} is called; zero never exits
     * @param exit ends the process with the given status
     * @param nanoTime a monotonic clock ({@code System::nanoTime} in production)
     */
    public StallWatchdog(Supplier<KafkaStreams> streams, Supplier<StallDetector.Restores> restores, StallDetector detector,
            Duration exitAfter, IntConsumer exit, LongSupplier nanoTime, MeterRegistry registry) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.restores = Objects.requireNonNull(restores, "restores");
        this.detector = Objects.requireNonNull(detector, "detector");
        this.exitAfterMs = exitAfter.toMillis();
        this.exit = Objects.requireNonNull(exit, "exit");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        Gauge.builder("paystream.processor.stalled", this, w -> w.verdict.stalled() ? 1 : 0)
                .description("1 while a stream thread of this processor is deadlocked, has stopped polling, or has "
                        + "records waiting and processes none, or while a restore from a changelog has stopped moving; "
                        + "the process exits after the configured time")
                .register(registry);
        this.stalls = Counter.builder("paystream.processor.stalls")
                .description("Stalls this processor has seen begin (each ends in recovery or in an exit)")
                .register(registry);
        Gauge.builder("paystream.processor.stall", this, StallWatchdog::stalledSeconds)
                .description("How long the current stall has lasted, 0 when there is none")
                .baseUnit("seconds")
                .register(registry);
    }

    /** Observes the stream threads once, updates the verdict, and exits the process after a long enough stall. */
    public synchronized void check() {
        long nowMs = nanoTime.getAsLong() / 1_000_000;
        lastCheckMs = nowMs;
        KafkaStreams current = streams.get();
        if (current == null) {
            return;
        }
        StallDetector.Verdict next = detector.observe(nowMs, current.state().isRunningOrRebalancing(),
                restores.get(), progress(current), deadlockedThreads());
        if (next.stalled() && stalledSinceMs < 0) {
            stalledSinceMs = nowMs;
            stalls.increment();
            LOG.error("processor stalled: {}; exiting with status {} after {} s unless it recovers; stream threads:{}",
                    next.reason(), EXIT_CODE, exitAfterMs / 1_000, streamThreadDump());
        } else if (!next.stalled() && stalledSinceMs >= 0) {
            LOG.warn("processor recovered from a stall of {} s", (nowMs - stalledSinceMs) / 1_000);
            stalledSinceMs = -1;
        }
        verdict = next;
        if (next.stalled() && exitAfterMs > 0 && nowMs - stalledSinceMs >= exitAfterMs && !exitCalled) {
            exitCalled = true;
            LOG.error("processor stalled for {} s ({}); exiting with status {} so that it is restarted",
                    (nowMs - stalledSinceMs) / 1_000, next.reason(), EXIT_CODE);
            exit.accept(EXIT_CODE);
        }
    }

    /** The latest verdict. */
    public StallDetector.Verdict verdict() {
        return verdict;
    }

    /** How long the current stall has lasted, in seconds; 0 without one. */
    public double stalledSeconds() {
        long since = stalledSinceMs;
        return since < 0 ? 0 : (lastCheckMs - since) / 1_000.0;
    }

    /** Every live stream thread's poll and process counters and its main consumer's lag. */
    private static List<StallDetector.ThreadProgress> progress(KafkaStreams current) {
        Map<String, Double> polls = new HashMap<>();
        Map<String, Double> processed = new HashMap<>();
        Map<String, Long> lag = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> entry : current.metrics().entrySet()) {
            MetricName name = entry.getKey();
            if (THREAD_GROUP.equals(name.group()) && name.tags().containsKey("thread-id")) {
                if ("poll-total".equals(name.name())) {
                    polls.put(name.tags().get("thread-id"), value(entry.getValue()));
                } else if ("process-total".equals(name.name())) {
                    processed.put(name.tags().get("thread-id"), value(entry.getValue()));
                }
            } else if (FETCH_GROUP.equals(name.group()) && "records-lag".equals(name.name())
                    && name.tags().containsKey("partition")) {
                String client = name.tags().getOrDefault("client-id", "");
                if (client.endsWith(MAIN_CONSUMER_SUFFIX) && !client.endsWith(RESTORE_CONSUMER_SUFFIX)) {
                    double partitionLag = value(entry.getValue());
                    lag.merge(client.substring(0, client.length() - MAIN_CONSUMER_SUFFIX.length()),
                            Double.isNaN(partitionLag) ? 0 : (long) partitionLag, Long::sum);
                }
            }
        }
        List<StallDetector.ThreadProgress> threads = new ArrayList<>();
        polls.forEach((thread, count) -> threads.add(new StallDetector.ThreadProgress(thread, count,
                processed.getOrDefault(thread, 0.0), lag.getOrDefault(thread, 0L))));
        return threads;
    }

    private static double value(Metric metric) {
        Object value = metric.metricValue();
        return value instanceof Number number ? number.doubleValue() : Double.NaN;
    }

    private Set<String> deadlockedThreads() {
        long[] ids = threadBean.findDeadlockedThreads();
        if (ids == null) {
            return Set.of();
        }
        return Arrays.stream(threadBean.getThreadInfo(ids)).filter(Objects::nonNull).map(ThreadInfo::getThreadName)
                .collect(Collectors.toSet());
    }

    /** The stream threads' stacks, with the locks they hold and wait for, for the log line that reports a stall. */
    private String streamThreadDump() {
        return Arrays.stream(threadBean.dumpAllThreads(true, true))
                .filter(info -> info.getThreadName().contains("-StreamThread-"))
                .map(info -> "\n" + info).collect(Collectors.joining());
    }
}
