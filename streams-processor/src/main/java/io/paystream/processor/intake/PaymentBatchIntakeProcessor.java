package io.paystream.processor.intake;

import io.paystream.processor.core.Failures;
import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.PaymentBatch;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.validation.Money;
import io.paystream.schemas.validation.PaymentRequestRules;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
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
    private final EmissionSinks sinks;
    private final PaymentMetrics metrics;
    private final PaymentIntakeProcessor payments;
    private ProcessorContext<Object, Object> context;

    /** @param payments decides each payment; it shares this processor's context and stores */
    PaymentBatchIntakeProcessor(Topic<String, PaymentBatch> source, EmissionSinks sinks, PaymentMetrics metrics,
            PaymentIntakeProcessor payments) {
        this.source = Objects.requireNonNull(source, "source");
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
        String problem = problem(record);
        if (problem != null) {
            LOG.warn("unidentifiable payment batch goes to the dead-letter topic: {}", problem);
            sinks.deadLetter(context, record, source, new IllegalArgumentException(problem), metrics);
            return;
        }
        PaymentBatch batch = record.value();
        // Each payment of an atomic batch names the batch's coordinator, whichever record carried it.
        String coordinator = batch.getAtomic() ? batch.getCoordinator() : null;
        for (PaymentRequest payment : batch.getPayments()) {
            // Records from the ingress's batch topic: the ingress checked the client's scopes and prefixes.
            payments.decide(record.withValue(PaymentRequest.newBuilder(payment)
                    .setBatchSize(payment.getBatchSize() != null ? payment.getBatchSize() : batch.getSize())
                    .setBatchCoordinator(coordinator)
                    .build()), null);
        }
    }

    /** Why the record cannot be answered for, or null. */
    private static String problem(Record<String, PaymentBatch> record) {
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
        if (batch.getAtomic() && !Money.isAccountId(batch.getCoordinator())) {
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
