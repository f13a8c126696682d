package io.paystream.sinks.webhooks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.paystream.sinks.metrics.SinkMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Webhook delivery metrics, in the worker's registry ({@link SinkMetrics}). Tags are outcomes, never endpoint ids or
 * URLs: endpoints are tenant data and unbounded. Which endpoint fails is in the deliveries API.
 */
final class WebhookMetrics {
    /** How an attempt ended. */
    static final List<String> OUTCOMES = List.of("succeeded", "http_error", "timeout", "network_error", "refused");

    private static final AtomicReference<Deliveries.Backlog> BACKLOG =
            new AtomicReference<>(new Deliveries.Backlog(0, 0, 0));

    static {
        MeterRegistry registry = SinkMetrics.registry();
        OUTCOMES.forEach(outcome -> attempts(outcome));
        deadLetters();
        disabled();
        enqueued();
        Gauge.builder("paystream.webhook.deliveries.pending", BACKLOG, b -> b.get().pending())
                .description("Webhook deliveries not yet delivered, dead-lettered or cancelled").register(registry);
        Gauge.builder("paystream.webhook.oldest.pending.seconds", BACKLOG, b -> b.get().oldestPendingSeconds())
                .description("Age of the oldest delivery still pending").register(registry);
        Gauge.builder("paystream.webhook.failing.endpoints", BACKLOG, b -> b.get().failingEndpoints())
                .description("Endpoints with a delivery that failed three or more attempts and is still pending")
                .register(registry);
    }

    private WebhookMetrics() {
    }

    static void attempt(String outcome, Duration took) {
        attempts(outcome).increment();
        Timer.builder("paystream.webhook.attempt.duration").description("One delivery attempt, to its answer")
                .tag("outcome", outcome).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(SinkMetrics.registry()).record(took);
    }

    static void deadLettered() {
        deadLetters().increment();
    }

    static void endpointDisabled() {
        disabled().increment();
    }

    static void queued(int deliveries) {
        enqueued().increment(deliveries);
    }

    static void backlog(Deliveries.Backlog backlog) {
        BACKLOG.set(backlog);
    }

    private static Counter attempts(String outcome) {
        return Counter.builder("paystream.webhook.attempts").description("Webhook delivery attempts, by outcome")
                .tag("outcome", outcome).register(SinkMetrics.registry());
    }

    private static Counter deadLetters() {
        return Counter.builder("paystream.webhook.dead.letters")
                .description("Webhook events that exhausted their attempts and went to webhooks.dlq.v1")
                .register(SinkMetrics.registry());
    }

    private static Counter disabled() {
        return Counter.builder("paystream.webhook.endpoints.disabled")
                .description("Endpoints disabled because an event to them was dead-lettered")
                .register(SinkMetrics.registry());
    }

    private static Counter enqueued() {
        return Counter.builder("paystream.webhook.deliveries.queued")
                .description("Deliveries queued: one per event and matching endpoint").register(SinkMetrics.registry());
    }
}
