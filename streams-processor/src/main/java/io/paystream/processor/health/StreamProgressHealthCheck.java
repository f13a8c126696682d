package io.paystream.processor.health;

import com.codahale.metrics.health.HealthCheck;
import java.util.Objects;

/**
 * Healthy while the stream threads really process records: unhealthy, naming the thread and the reason, while
 * {@link StallWatchdog} sees a stall. Kafka Streams' own state stays RUNNING through a deadlock, so the
 * {@code kafka-streams} check alone cannot see one.
 */
public final class StreamProgressHealthCheck extends HealthCheck {
    private final StallWatchdog watchdog;

    public StreamProgressHealthCheck(StallWatchdog watchdog) {
        this.watchdog = Objects.requireNonNull(watchdog, "watchdog");
    }

    @Override
    protected Result check() {
        StallDetector.Verdict verdict = watchdog.verdict();
        if (verdict.stalled()) {
            return Result.unhealthy("stalled for %.0f s: %s", watchdog.stalledSeconds(), verdict.reason());
        }
        return Result.healthy(verdict.reason());
    }
}
