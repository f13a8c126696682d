package io.paystream.processor.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.setup.Environment;
import io.micrometer.core.instrument.MeterRegistry;
import io.paystream.processor.internal.Schedules;
import jakarta.validation.constraints.NotNull;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The {@code stall:} block of the processor's YAML: how long a stream thread may make no progress before the processor
 * reports a stall ({@code timeout}), and how long a stall may last before the process exits to be restarted
 * ({@code exitAfter}; {@code 0s} never exits). Builds the {@link StallWatchdog}, its schedule and its health check.
 */
public class StallWatchdogFactory {
    /** Often enough that a stall is seen within a second of the timeout; each check only reads counters. */
    private static final java.time.Duration CHECK_INTERVAL = java.time.Duration.ofSeconds(1);

    /**
     * A healthy stream thread polls at least every {@code poll.ms} (100 ms) between batches, and a commit that the
     * broker holds up gives up after the producer's 60 s {@code max.block.ms}; one minute without progress is a stall,
     * not a slow broker.
     */
    @NotNull
    private io.dropwizard.util.Duration timeout = io.dropwizard.util.Duration.seconds(60);

    /** One more minute to recover by itself (a stall that clears is logged) before the process gives up. */
    @NotNull
    private io.dropwizard.util.Duration exitAfter = io.dropwizard.util.Duration.seconds(60);

    /**
     * Registers the watchdog's schedule and the {@code stream-progress} health check.
     *
     * @param restores where this instance's restores from changelogs stand now
     * @param exit ends the process with the given status, when a stall outlasts {@code exitAfter}
     */
    public StallWatchdog build(Environment environment, Supplier<KafkaStreams> streams,
            Supplier<StallDetector.Restores> restores,
            MeterRegistry registry, IntConsumer exit) {
        StallWatchdog watchdog = new StallWatchdog(streams, restores, new StallDetector(timeout.toJavaDuration()),
                exitAfter.toJavaDuration(), exit, System::nanoTime, registry);
        Schedules.everyFixedDelay(environment, "stall-watchdog", CHECK_INTERVAL, watchdog::check);
        environment.healthChecks().register("stream-progress", new StreamProgressHealthCheck(watchdog));
        return watchdog;
    }

    @JsonProperty
    public io.dropwizard.util.Duration getTimeout() {
        return timeout;
    }

    @JsonProperty
    public void setTimeout(io.dropwizard.util.Duration timeout) {
        this.timeout = timeout;
    }

    @JsonProperty
    public io.dropwizard.util.Duration getExitAfter() {
        return exitAfter;
    }

    @JsonProperty
    public void setExitAfter(io.dropwizard.util.Duration exitAfter) {
        this.exitAfter = exitAfter;
    }
}
