package io.paystream.processor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.validation.Money;
import java.time.Duration;
import java.util.Objects;

/**
 * The processor's business metrics. Tags are low-cardinality only (type, status, reason, currency, source); never
 * account or payment ids. Metrics are not transactional: after a crash, replayed records may be counted again.
 */
public final class PaymentMetrics {
    /** Key under which the metrics object travels through the Streams config to the exception handlers. */
    public static final String CONFIG_KEY = "paystream.metrics";

    private static final String UNKNOWN = "unknown";
    private static final String NONE = "none";

    private final MeterRegistry registry;

    public PaymentMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The registry these metrics live in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** A payment reached its terminal status, {@code latencyMs} after it was requested. */
    public void paymentFinished(PaymentState payment, long latencyMs) {
        String currency = Money.isCurrency(payment.getCurrency()) ? payment.getCurrency() : UNKNOWN;
        String type = payment.getType() == null ? UNKNOWN : payment.getType().name();
        Counter.builder("paystream.payments")
                .description("Payments that reached a terminal status")
                .tag("type", type)
                .tag("status", payment.getStatus().name())
                .tag("reason", payment.getReason() == null ? NONE : payment.getReason().name())
                .tag("currency", currency)
                .register(registry)
                .increment();
        // Buckets from 1 ms to 30 s: a healthy pipeline settles in tens of milliseconds; 30 s is an outage.
        Timer.builder("paystream.payment.e2e.latency")
                .description("From the request record's timestamp to the payment's terminal status")
                .tag("status", payment.getStatus().name())
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record(Duration.ofMillis(Math.max(0, latencyMs)));
        if (payment.getStatus() == PaymentStatus.COMPLETED) {
            DistributionSummary.builder("paystream.payment.amount")
                    .description("Amounts of completed payments")
                    .baseUnit("minor_units")
                    .tag("currency", currency)
                    .tag("type", type)
                    .register(registry)
                    .record(payment.getAmount());
        }
    }

    /** An exact duplicate request was dropped at intake. */
    public void duplicateDropped() {
        registry.counter("paystream.payments.duplicates").increment();
    }

    /** A request reused a payment id with different contents. */
    public void idempotencyConflict() {
        registry.counter("paystream.payments.idempotency.conflicts").increment();
    }

    /** A terminal event arrived for a payment that already had another terminal status; it was ignored. */
    public void terminalOverwriteRefused() {
        registry.counter("paystream.payments.terminal.overwrites.refused").increment();
    }

    /**
     * A record went to the dead-letter topic.
     *
     * @param stage {@code deserialization} or {@code processing}
     * @param sourceTopic the topic the record came from
     */
    public void deadLettered(String stage, String sourceTopic) {
        registry.counter("paystream.dlq.records", "stage", stage, "topic", sourceTopic == null ? UNKNOWN : sourceTopic)
                .increment();
    }
}
