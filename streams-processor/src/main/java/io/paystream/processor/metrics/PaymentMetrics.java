package io.paystream.processor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.Money;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The processor's business metrics. Tags are low-cardinality only (type, status, reason, currency, source); never
 * account or payment ids. Metrics are not transactional: after a crash, replayed records may be counted again.
 */
public final class PaymentMetrics {
    /** Key under which the metrics object travels through the Streams config to the exception handlers. */
    public static final String CONFIG_KEY = "paystream.metrics";

    private static final String UNKNOWN = "unknown";
    private static final String NONE = "none";

    /** The topics the processor reads: the ones a dead letter can come from. */
    private static final List<String> SOURCE_TOPICS = List.of(Topics.PAYMENT_REQUESTS.name(),
            Topics.ACCOUNT_REQUESTS.name(), Topics.LEDGER.name(), Topics.PAYMENT_EVENTS.name());

    private final MeterRegistry registry;
    private final Map<String, RollingVolume> volumes = new ConcurrentHashMap<>();
    private final Map<Outcome, FinishedMeters> finished = new ConcurrentHashMap<>();

    public PaymentMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        // Series that alerts watch exist from the start, at 0, so that "any increase" and absence are not confused.
        duplicates();
        conflicts();
        overwritesRefused();
        for (String stage : List.of("deserialization", "processing")) {
            for (String topic : SOURCE_TOPICS) {
                deadLetters(stage, topic);
            }
        }
    }

    /** The registry these metrics live in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** A payment reached its terminal status, {@code latencyMs} after it was requested. */
    public void paymentFinished(PaymentState payment, long latencyMs) {
        String currency = Money.isCurrency(payment.getCurrency()) ? payment.getCurrency() : UNKNOWN;
        String type = payment.getType() == null ? UNKNOWN : payment.getType().name();
        Outcome outcome = new Outcome(type, payment.getStatus().name(),
                payment.getReason() == null ? NONE : payment.getReason().name(), currency);
        // Once per payment on the stream thread: the meters are looked up in a map of their own instead of being
        // built and registered each time (a registry lookup with tag sorting and id hashing per call).
        finished.computeIfAbsent(outcome, this::registerFinished).record(payment, latencyMs);
    }

    /** The tags of a finished payment's meters. */
    private record Outcome(String type, String status, String reason, String currency) {
    }

    /** The meters one {@link Outcome} updates; {@code amount} and {@code volume} are null unless it completed. */
    private record FinishedMeters(Counter count, Timer latency, DistributionSummary amount, RollingVolume volume) {
        void record(PaymentState payment, long latencyMs) {
            count.increment();
            latency.record(Duration.ofMillis(Math.max(0, latencyMs)));
            if (amount != null) {
                amount.record((double) payment.getAmount());
                volume.add(payment.getAmount(), System.currentTimeMillis());
            }
        }
    }

    private FinishedMeters registerFinished(Outcome outcome) {
        Counter count = Counter.builder("paystream.payments")
                .description("Payments that reached a terminal status")
                .tag("type", outcome.type())
                .tag("status", outcome.status())
                .tag("reason", outcome.reason())
                .tag("currency", outcome.currency())
                .register(registry);
        // Buckets from 1 ms to 30 s: a healthy pipeline settles in tens of milliseconds; 30 s is an outage.
        Timer latency = Timer.builder("paystream.payment.e2e.latency")
                .description("From the request record's timestamp to the payment's terminal status")
                .tag("status", outcome.status())
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        DistributionSummary amount = null;
        RollingVolume volume = null;
        if (outcome.status().equals(PaymentStatus.COMPLETED.name())) {
            amount = DistributionSummary.builder("paystream.payment.amount")
                    .description("Amounts of completed payments")
                    .baseUnit("minor_units")
                    .tag("currency", outcome.currency())
                    .tag("type", outcome.type())
                    .register(registry);
            volume = volumes.computeIfAbsent(outcome.currency(), this::registerVolume);
        }
        return new FinishedMeters(count, latency, amount, volume);
    }

    private RollingVolume registerVolume(String currency) {
        RollingVolume volume = new RollingVolume(Duration.ofMinutes(1));
        Gauge.builder("paystream.payments.volume.last.minute", volume,
                        v -> v.total(System.currentTimeMillis()))
                .description("Amounts of payments completed by this instance over the last minute")
                .baseUnit("minor_units")
                .tag("currency", currency)
                .register(registry);
        return volume;
    }

    /** The ledger applied a REVERSAL: a credit leg failed and the payer got the money back. */
    public void reversalApplied(String currency, RejectionReason reason) {
        Counter.builder("paystream.payments.reversals")
                .description("Reversal legs applied: credits that failed after the payer was debited")
                .tag("currency", Money.isCurrency(currency) ? currency : UNKNOWN)
                .tag("reason", reason == null ? NONE : reason.name())
                .register(registry)
                .increment();
    }

    /**
     * An atomic batch was decided on its coordinator's task: {@code outcome} COMPLETED (every hold captured), REJECTED
     * (a payment voted against) or TIMED_OUT (some payment never voted: a share or a vote was lost, or dead-lettered).
     */
    public void atomicBatchDecided(String outcome) {
        Counter.builder("paystream.atomic.batches")
                .description("Atomic batches decided, by outcome (COMPLETED, REJECTED, TIMED_OUT)")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /**
     * A refund ended, as the status view saw it: {@code outcome} SUCCEEDED or FAILED, with the failure's reason.
     * Counts and minor units, per currency.
     */
    public void refundEnded(String currency, String outcome, RejectionReason reason, long amountMinor) {
        String currencyTag = Money.isCurrency(currency) ? currency : UNKNOWN;
        String reasonTag = reason == null ? NONE : reason.name();
        Counter.builder("paystream.refunds")
                .description("Refunds that ended, by outcome (SUCCEEDED, FAILED) and the failure's reason")
                .tag("currency", currencyTag).tag("outcome", outcome).tag("reason", reasonTag)
                .register(registry)
                .increment();
        Counter.builder("paystream.refunds.amount")
                .description("Minor units of the refunds that ended, by outcome")
                .tag("currency", currencyTag).tag("outcome", outcome)
                .register(registry)
                .increment((double) amountMinor);
    }

    /** An exact duplicate request was dropped at intake. */
    public void duplicateDropped() {
        duplicates().increment();
    }

    private Counter duplicates() {
        return Counter.builder("paystream.payments.duplicates")
                .description("Exact duplicate requests dropped at intake").register(registry);
    }

    private Counter conflicts() {
        return Counter.builder("paystream.payments.idempotency.conflicts")
                .description("Requests that reused a payment id with different contents").register(registry);
    }

    private Counter overwritesRefused() {
        return Counter.builder("paystream.payments.terminal.overwrites.refused")
                .description("Terminal events ignored because the payment already had another terminal status")
                .register(registry);
    }

    private Counter deadLetters(String stage, String topic) {
        return Counter.builder("paystream.dlq.records")
                .description("Records written to the dead-letter topic, by stage and source topic")
                .tag("stage", stage).tag("topic", topic).register(registry);
    }

    /**
     * The acquirer answered a card top-up's charge for the first time.
     *
     * @param status APPROVED or DECLINED
     * @param declineCode the acquirer's code for a decline, else null
     */
    public void chargeResult(String status, String declineCode) {
        Counter.builder("paystream.card.charges").description("Card top-up charges answered by the acquirer, by "
                + "status and decline code").tag("status", status.toLowerCase(java.util.Locale.ROOT))
                .tag("decline_code", declineCode == null ? "none" : declineCode.length() > 40 ? "other" : declineCode)
                .register(registry).increment();
    }

    /** A second answer to a charge already answered (the acquirer connector retried); it changed nothing. */
    public void duplicateChargeResult() {
        Counter.builder("paystream.card.charge.results.duplicate")
                .description("Acquirer answers ignored because the charge was already answered").register(registry)
                .increment();
    }

    /** A request reused a payment id with different contents. */
    public void idempotencyConflict() {
        conflicts().increment();
    }

    /** A terminal event arrived for a payment that already had another terminal status; it was ignored. */
    public void terminalOverwriteRefused() {
        overwritesRefused().increment();
    }

    /**
     * A record went to the dead-letter topic.
     *
     * @param stage {@code deserialization} or {@code processing}
     * @param sourceTopic the topic the record came from
     */
    public void deadLettered(String stage, String sourceTopic) {
        deadLetters(stage, sourceTopic == null ? UNKNOWN : sourceTopic).increment();
    }
}
