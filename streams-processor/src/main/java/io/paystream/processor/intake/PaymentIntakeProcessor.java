package io.paystream.processor.intake;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Failures;
import io.paystream.processor.errors.FailTaskException;
import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Partitions;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.web.auth.ApiClient;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes payment requests through {@link PaymentIntakeRules}, remembering each payment id's fingerprint for ever in
 * the {@code payment-fingerprints} store. Intake runs in the ledger's task: the ingress keys each request by the account
 * its first leg moves (the payer, or the payee of a TOPUP), so that leg is applied here, in the same transaction, by
 * handing it to the ledger processor; a leg for an account of another task (a request keyed by its payment id, as
 * direct producers key theirs) goes through {@code payments.ledger.v1} as before. A request from a direct producer's
 * topic is checked as that producer's client. Records that do not identify a payment (no value, or a key that is
 * neither the request's payment id nor, on the ingress's topic, its first leg's account) cannot be answered and go to
 * the dead-letter topic.
 */
final class PaymentIntakeProcessor implements Processor<String, PaymentRequest, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(PaymentIntakeProcessor.class);

    private final Topic<String, PaymentRequest> source;
    private final Map<String, ApiClient> direct;
    private final EmissionSinks sinks;
    private final String ledger;
    private final PaymentMetrics metrics;
    private final long minHoldSeconds;
    private final int partitions;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, String> fingerprints;

    /**
     * @param ledger the ledger processor's node name: a first leg for an account of this task goes straight to it
     * @param partitions the partition count of the co-partitioned topics: a direct producer's record must be on the
     *     partition its key hashes to among them, and a leg is applied here when its account hashes to this task's
     */
    PaymentIntakeProcessor(Topic<String, PaymentRequest> source, Map<String, ApiClient> direct, EmissionSinks sinks,
            String ledger, long minHoldSeconds, int partitions, PaymentMetrics metrics) {
        this.partitions = partitions;
        this.minHoldSeconds = minHoldSeconds;
        this.source = Objects.requireNonNull(source, "source");
        this.direct = Map.copyOf(direct);
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.fingerprints = context.getStateStore(PaymentIntakeTopology.FINGERPRINTS_STORE);
    }

    /** The partition this record was read from; 0 when it has none (a punctuation, which intake never has). */
    private int partition() {
        return context.recordMetadata().map(RecordMetadata::partition).orElse(0);
    }

    /** True when the record is on the partition the producer's default partitioner would put its key on. */
    private boolean onItsKeysPartition(Record<String, PaymentRequest> record) {
        return context.recordMetadata().isEmpty() || partition() == partitionOf(record.key());
    }

    /** The partition Kafka's default partitioner gives a key: murmur2 of its UTF-8 bytes, modulo the count. */
    private int partitionOf(String key) {
        return Partitions.of(key, partitions);
    }

    /**
     * Why this record's key cannot stand for its payment, or null. Every record of one payment id must reach one
     * task, or two tasks would each decide it once. The ingress keys a request by its first leg's account, from which
     * (with the client and the Idempotency-Key) it derives the id, so one id always comes with one key; before it did,
     * it keyed by the payment id, which still works. A direct producer keys by the payment id it chose.
     */
    private static String keyProblem(Record<String, PaymentRequest> record, ApiClient producer) {
        PaymentRequest request = record.value();
        if (record.key().equals(request.getPaymentId())) {
            return null;
        }
        if (producer == null && record.key().equals(PaymentRequestRules.firstLegAccount(request))) {
            return null;
        }
        return "record key " + Failures.abbreviate(record.key()) + " is not the request's paymentId "
                + request.getPaymentId() + (producer == null ? " nor its first leg's account" : "");
    }

    @Override
    public void process(Record<String, PaymentRequest> record) {
        PaymentRequest request = record.value();
        // Null for the ingress's topic: the ingress has checked the key's scopes and prefixes already.
        ApiClient producer = context.recordMetadata().map(RecordMetadata::topic).map(direct::get).orElse(null);
        if (request == null || record.key() == null || !PaymentRequestRules.isPaymentId(request.getPaymentId())
                || keyProblem(record, producer) != null) {
            // Without a well-formed payment id there is no payment to reject: nothing can be keyed or looked up by
            // it, and an id of any length would reach the stores, the events and the sinks' columns.
            IllegalArgumentException unidentifiable = new IllegalArgumentException(request == null
                    ? "payment request record has no value"
                    : !PaymentRequestRules.isPaymentId(request.getPaymentId())
                            ? "the paymentId is not a lower-case UUID: " + Failures.abbreviate(request.getPaymentId())
                            : record.key() == null ? "payment request record has no key"
                                    : keyProblem(record, producer));
            LOG.warn("unidentifiable payment request goes to the dead-letter topic: {}", unidentifiable.getMessage());
            sinks.deadLetter(context, record, source, unidentifiable, metrics);
            return;
        }
        if (producer != null && !onItsKeysPartition(record)) {
            // A producer with its own partitioner could put one payment id on two partitions, and two tasks would
            // each decide it once: the id would pay twice. Only the partition its key hashes to may decide it.
            IllegalArgumentException misplaced = new IllegalArgumentException("direct producer "
                    + producer.clientId() + " wrote paymentId " + request.getPaymentId() + " to partition "
                    + partition() + "; its key belongs on " + partitionOf(record.key()));
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
        decide(record, producer);
    }

    /**
     * Decides one well-identified request, on the partition that owns its id: remembers its fingerprint and forwards
     * what the decision emits. Also the step of {@link PaymentBatchIntakeProcessor} for each payment of a batch.
     *
     * @param producer the direct producer whose topic the request came from, or null for the ingress's
     */
    void decide(Record<String, PaymentRequest> record, ApiClient producer) {
        PaymentRequest request = record.value();
        IntakeOutcome outcome;
        try {
            outcome = PaymentIntakeRules.decide(request, fingerprints.get(request.getPaymentId()), record.timestamp(),
                    producer, minHoldSeconds);
        } catch (RuntimeException e) {
            LOG.error("payment intake failed for {}; rejecting it with INTERNAL_ERROR", request.getPaymentId(), e);
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
                fingerprints.put(request.getPaymentId(), outcome.fingerprintToStore());
            }
            forward(record, outcome.emissions());
        } catch (RuntimeException e) {
            // A stored fingerprint without its first leg would turn every retry into a dropped duplicate: fail the
            // task, so that exactly-once aborts both and replays the request.
            throw new FailTaskException("cannot record payment request " + request.getPaymentId(), e);
        }
    }

    /**
     * Tells the ledger processor that a batch record's payments are all decided: it then sends the legs they emitted
     * for other tasks, one record per partition ({@code LedgerProcessor}'s outbox).
     */
    void endOfBatch(Record<?, ?> record) {
        context.forward(record.withKey((Object) io.paystream.processor.ledger.LedgerTopology.END_OF_BATCH_KEY)
                .withValue(null), ledger);
    }

    /**
     * Forwards the events and journal entries first (so ACCEPTED precedes whatever the first leg decides), then each
     * leg: to the ledger processor when its account belongs to this task, else to {@code payments.ledger.v1}.
     */
    private void forward(Record<String, PaymentRequest> record, Emissions emissions) {
        sinks.forward(context, record, emissions.withoutLegs());
        for (LedgerCommand leg : emissions.legs()) {
            boolean here = partitionOf(leg.getAccountId()) == partition();
            context.forward(record.withKey((Object) leg.getAccountId()).withValue((Object) leg),
                    here ? ledger : sinks.legs());
        }
    }
}
