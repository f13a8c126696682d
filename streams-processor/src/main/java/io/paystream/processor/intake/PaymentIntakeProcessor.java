package io.paystream.processor.intake;

import io.paystream.processor.core.Failures;
import io.paystream.processor.errors.FailTaskException;
import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.web.auth.ApiClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes payment requests through {@link PaymentIntakeRules}, remembering each payment id's fingerprint in the
 * {@code payment-request-fingerprints} window store for the idempotency window, and asking the status view's store
 * about ids older than that. A request from a direct producer's topic is checked as that producer's client. Records
 * that do not identify a payment (no value, or a key that is not the request's payment id) cannot be answered and go
 * to the dead-letter topic.
 */
final class PaymentIntakeProcessor implements Processor<String, PaymentRequest, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(PaymentIntakeProcessor.class);

    private final Topic<String, PaymentRequest> source;
    private final Map<String, ApiClient> direct;
    private final EmissionSinks sinks;
    private final PaymentMetrics metrics;
    private final Duration idempotencyWindow;
    private final long minHoldSeconds;
    private final String statusStore;
    private final int partitions;
    private ProcessorContext<Object, Object> context;
    private RecentFingerprints fingerprints;
    private KeyValueStore<String, PaymentState> statuses;

    /**
     * @param partitions the partition count of the co-partitioned topics: a direct producer's record must be on the
     *     partition its key hashes to among them
     */
    PaymentIntakeProcessor(Topic<String, PaymentRequest> source, Map<String, ApiClient> direct, EmissionSinks sinks,
            Duration idempotencyWindow, long minHoldSeconds, String statusStore, int partitions,
            PaymentMetrics metrics) {
        this.partitions = partitions;
        this.minHoldSeconds = minHoldSeconds;
        this.source = Objects.requireNonNull(source, "source");
        this.direct = Map.copyOf(direct);
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.idempotencyWindow = Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
        this.statusStore = Objects.requireNonNull(statusStore, "statusStore");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.fingerprints = new RecentFingerprints(context, idempotencyWindow);
        this.statuses = context.getStateStore(statusStore);
    }

    /** True when the record is on the partition the producer's default partitioner would put its key on. */
    private boolean onItsKeysPartition(Record<String, PaymentRequest> record) {
        return context.recordMetadata().map(RecordMetadata::partition).map(p -> p == partitionOf(record.key()))
                .orElse(true);
    }

    /** The partition Kafka's default partitioner gives a key: murmur2 of its UTF-8 bytes, modulo the count. */
    private int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public void process(Record<String, PaymentRequest> record) {
        PaymentRequest request = record.value();
        if (request == null || record.key() == null || !record.key().equals(request.getPaymentId())
                || !PaymentRequestRules.isPaymentId(request.getPaymentId())) {
            // Without a well-formed payment id there is no payment to reject: nothing can be keyed or looked up by
            // it, and an id of any length would reach the stores, the events and the sinks' columns.
            IllegalArgumentException unidentifiable = new IllegalArgumentException(request == null
                    ? "payment request record has no value"
                    : !PaymentRequestRules.isPaymentId(request.getPaymentId())
                            ? "the paymentId is not a lower-case UUID: " + Failures.abbreviate(request.getPaymentId())
                            : "record key " + Failures.abbreviate(record.key()) + " is not the request's paymentId "
                                    + request.getPaymentId());
            LOG.warn("unidentifiable payment request goes to the dead-letter topic: {}", unidentifiable.getMessage());
            sinks.deadLetter(context, record, source, unidentifiable, metrics);
            return;
        }
        // Null for the ingress's topic: the ingress has checked the key's scopes and prefixes already.
        ApiClient producer = context.recordMetadata().map(RecordMetadata::topic).map(direct::get).orElse(null);
        if (producer != null && !onItsKeysPartition(record)) {
            // A producer with its own partitioner could put one payment id on two partitions, and two tasks would
            // each decide it once: the id would pay twice. Only the partition its key hashes to may decide it.
            IllegalArgumentException misplaced = new IllegalArgumentException("direct producer "
                    + producer.clientId() + " wrote paymentId " + request.getPaymentId() + " to partition "
                    + context.recordMetadata().map(RecordMetadata::partition).orElse(-1) + "; its key belongs on "
                    + partitionOf(record.key()));
            LOG.warn("payment request goes to the dead-letter topic: {}", misplaced.getMessage());
            sinks.deadLetter(context, record, source, misplaced, metrics);
            return;
        }
        if (producer != null && !PaymentIntakeRules.isRandomId(request.getPaymentId())) {
            // A rejection would remember the id and give it a status, and then the ingress's client whose id it is
            // would find it taken: a direct producer's id must come from its own random namespace.
            IllegalArgumentException notRandom = new IllegalArgumentException("direct producer " + producer.clientId()
                    + " sent paymentId " + request.getPaymentId() + ", which is not a random (version 4) UUID");
            LOG.warn("payment request goes to the dead-letter topic: {}", notRandom.getMessage());
            sinks.deadLetter(context, record, source, notRandom, metrics);
            return;
        }
        long nowMs = RecentFingerprints.now(context, record);
        IntakeOutcome outcome;
        try {
            String fingerprint = fingerprints.find(record.key(), nowMs);
            // After the window, the payment's status (kept for ever) still knows the id.
            PaymentState known = fingerprint == null ? statuses.get(record.key()) : null;
            outcome = PaymentIntakeRules.decide(request, fingerprint, known, record.timestamp(), producer,
                    minHoldSeconds);
        } catch (RuntimeException e) {
            LOG.error("payment intake failed for {}; rejecting it with INTERNAL_ERROR", record.key(), e);
            sinks.deadLetter(context, record, source, e, metrics);
            outcome = PaymentIntakeRules.failed(request, e, record.timestamp());
        }
        switch (outcome.kind()) {
            case DUPLICATE -> metrics.duplicateDropped();
            case CONFLICT -> metrics.idempotencyConflict();
            default -> {
                // Accepted, invalid and failed requests are counted when their terminal status reaches the status view.
            }
        }
        try {
            if (outcome.fingerprintToStore() != null) {
                fingerprints.remember(record.key(), outcome.fingerprintToStore(), nowMs);
            }
            sinks.forward(context, record, outcome.emissions());
        } catch (RuntimeException e) {
            // A stored fingerprint without its first leg would turn every retry into a dropped duplicate: fail the
            // task, so that exactly-once aborts both and replays the request.
            throw new FailTaskException("cannot record payment request " + record.key(), e);
        }
    }
}
