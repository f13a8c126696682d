package io.paystream.processor.intake;

import io.paystream.processor.core.Failures;
import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.BatchIds;
import io.paystream.schemas.Partitions;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.PaymentBatch;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.validation.Money;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.web.auth.ApiClient;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the payments of a batch record ({@code payments.batches.v1}), each as if it had been posted alone: the same
 * rules, the same fingerprint per payment id, the same events. The ingress writes one record per partition the
 * batch's first legs fall on, so each first leg goes straight to the ledger processor of this task, and the whole
 * share is decided and debited in one transaction; a payment whose first leg belongs to another task still is
 * decided here (where its id's fingerprint lives) and its leg crosses {@code payments.ledger.v1}. A record that does
 * not identify its payments (no value, no payments, a payment without a well-formed id or of another batch) cannot be
 * answered and goes to the dead-letter topic whole.
 */
final class PaymentBatchIntakeProcessor implements Processor<String, PaymentBatch, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(PaymentBatchIntakeProcessor.class);

    private final Topic<String, PaymentBatch> source;
    /** Each direct producer's batch topic, by name, and the client it authenticates. */
    private final Map<String, ApiClient> direct;
    private final int partitions;
    private final EmissionSinks sinks;
    private final PaymentMetrics metrics;
    private final PaymentIntakeProcessor payments;
    private ProcessorContext<Object, Object> context;

    /**
     * @param direct each direct producer's batch topic, by name, and the client it authenticates
     * @param partitions the partition count of the co-partitioned topics
     * @param payments decides each payment; it shares this processor's context and stores
     */
    PaymentBatchIntakeProcessor(Topic<String, PaymentBatch> source, Map<String, ApiClient> direct, int partitions,
            EmissionSinks sinks, PaymentMetrics metrics, PaymentIntakeProcessor payments) {
        this.source = Objects.requireNonNull(source, "source");
        this.direct = Map.copyOf(direct);
        this.partitions = partitions;
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.payments = Objects.requireNonNull(payments, "payments");
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        payments.init(context);
    }

    @Override
    public void process(Record<String, PaymentBatch> record) {
        // Null for the ingress's topic: the ingress has checked the key's scopes and prefixes already.
        ApiClient producer = context.recordMetadata().map(RecordMetadata::topic).map(direct::get).orElse(null);
        String problem = problem(record, producer == null);
        if (problem == null && producer != null) {
            problem = directProblem(record, producer);
        }
        if (problem != null) {
            LOG.warn("payment batch goes to the dead-letter topic whole: {}", problem);
            sinks.deadLetter(context, record, source, new IllegalArgumentException(problem), metrics);
            return;
        }
        PaymentBatch batch = record.value();
        // Each payment of an atomic batch names the batch's coordinator, whichever record carried it; a direct
        // producer's batch is one record, and its coordinator is payment 0's first-leg account, whatever it says.
        String coordinator = !batch.getAtomic() ? null : producer == null ? batch.getCoordinator()
                : PaymentRequestRules.firstLegAccount(batch.getPayments().get(0));
        for (PaymentRequest payment : batch.getPayments()) {
            payments.decide(record.withValue(PaymentRequest.newBuilder(payment)
                    .setBatchSize(payment.getBatchSize() != null ? payment.getBatchSize() : batch.getSize())
                    .setBatchCoordinator(coordinator)
                    .build()), producer);
        }
        payments.endOfBatch(record);
    }

    /**
     * Why a direct producer's batch cannot be decided here, or null. It is one record holding the whole batch, keyed by
     * its batch id (a random UUID of the producer's), on the partition that key hashes to, and each payment's id is
     * the one derived from the batch id and its index ({@code BatchIds}): then one batch id always reaches one task,
     * whose fingerprints keep a retried batch from paying twice, and no id of the ingress's or of a single direct
     * request can be taken. Each payment's client, scope and ownership are then checked as for a single request.
     */
    private String directProblem(Record<String, PaymentBatch> record, ApiClient producer) {
        PaymentBatch batch = record.value();
        if (!record.key().equals(batch.getBatchId())) {
            return "direct producer " + producer.clientId() + " keyed batch " + batch.getBatchId() + " by "
                    + Failures.abbreviate(record.key()) + ", not by its batchId";
        }
        if (!PaymentIntakeRules.isRandomId(batch.getBatchId())) {
            return "direct producer " + producer.clientId() + " sent batchId " + batch.getBatchId()
                    + ", which is not a random (version 4) UUID";
        }
        int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(0);
        if (partition != Partitions.of(record.key(), partitions)) {
            return "direct producer " + producer.clientId() + " wrote batch " + batch.getBatchId() + " to partition "
                    + partition + "; its key belongs on " + Partitions.of(record.key(), partitions);
        }
        if (batch.getAtomic() && !batch.getPayments().isEmpty()
                && !Money.isAccountId(PaymentRequestRules.firstLegAccount(batch.getPayments().get(0)))) {
            // Its coordinator is payment 0's payer: without one, the batch could not be decided as one.
            return "atomic batch " + batch.getBatchId() + " of direct producer " + producer.clientId()
                    + ": its payment 0 names no account to coordinate it";
        }
        if (batch.getPayments().size() != batch.getSize()) {
            return "direct producer " + producer.clientId() + "'s batch " + batch.getBatchId() + " has size "
                    + batch.getSize() + " but carries " + batch.getPayments().size()
                    + " payments: a direct batch is one record with all of them";
        }
        for (int index = 0; index < batch.getPayments().size(); index++) {
            PaymentRequest payment = batch.getPayments().get(index);
            if (payment.getBatchIndex() != index
                    || !BatchIds.paymentId(batch.getBatchId(), index).equals(payment.getPaymentId())) {
                return "payment " + index + " of direct batch " + batch.getBatchId() + " must have batchIndex "
                        + index + " and paymentId " + BatchIds.paymentId(batch.getBatchId(), index);
            }
        }
        return null;
    }

    /**
     * Why the record cannot be answered for, or null.
     *
     * @param namesCoordinator true when an atomic batch's record must name its coordinator (the ingress's records do)
     */
    private static String problem(Record<String, PaymentBatch> record, boolean namesCoordinator) {
        PaymentBatch batch = record.value();
        if (batch == null) {
            return "payment batch record has no value";
        }
        if (record.key() == null) {
            return "payment batch record has no key";
        }
        if (!PaymentRequestRules.isPaymentId(batch.getBatchId())) {
            return "the batchId is not a lower-case UUID: " + Failures.abbreviate(batch.getBatchId());
        }
        if (namesCoordinator && batch.getAtomic() && !Money.isAccountId(batch.getCoordinator())) {
            return "atomic payment batch " + batch.getBatchId() + " names no coordinator account: "
                    + Failures.abbreviate(batch.getCoordinator());
        }
        if (batch.getSize() < 1 || batch.getSize() > PaymentRequestRules.BATCH_SIZE_MAX) {
            return "payment batch " + batch.getBatchId() + " has size " + batch.getSize();
        }
        if (batch.getPayments().isEmpty()) {
            return "payment batch " + batch.getBatchId() + " has no payments";
        }
        for (PaymentRequest payment : batch.getPayments()) {
            if (!PaymentRequestRules.isPaymentId(payment.getPaymentId())) {
                return "a payment of batch " + batch.getBatchId() + " has a paymentId that is not a lower-case UUID: "
                        + Failures.abbreviate(payment.getPaymentId());
            }
            if (payment.getBatchIndex() == null || payment.getBatchIndex() < 0
                    || payment.getBatchIndex() >= batch.getSize()) {
                return "payment " + payment.getPaymentId() + " of batch " + batch.getBatchId() + " has index "
                        + payment.getBatchIndex() + " of " + batch.getSize();
            }
            if (!batch.getBatchId().equals(payment.getBatchId())) {
                return "payment " + payment.getPaymentId() + " of batch " + batch.getBatchId() + " names batch "
                        + Failures.abbreviate(String.valueOf(payment.getBatchId()));
            }
        }
        return null;
    }
}
