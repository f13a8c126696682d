package io.paystream.processor.internal;

import io.dropwizard.core.setup.Environment;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Periodic background work that lives and dies with the Dropwizard application. */
public final class Schedules {
    private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);

    private Schedules() {
    }

    /**
     * Runs {@code task} every {@code delay} (after the previous run ends) on its own managed thread named
     * {@code name}. A run that throws is logged and the schedule goes on: one failed run must not cancel the rest.
     */
    public static void everyFixedDelay(Environment environment, String name, Duration delay, Runnable task) {
        ScheduledExecutorService executor = environment.lifecycle().scheduledExecutorService(name).threads(1).build();
        var unused = executor.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{} failed; it runs again in {}: {}", name, delay, e.toString());
            }
        }, delay.toMillis(), delay.toMillis(), TimeUnit.MILLISECONDS);
    }
}
