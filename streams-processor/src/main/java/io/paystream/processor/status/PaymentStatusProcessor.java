package io.paystream.processor.status;

import io.paystream.processor.errors.FailTaskException;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.processor.stats.PaymentStats;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentState;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@code payments} store up to date from {@code payments.events.v1}, and counts each payment's outcome and
 * end-to-end latency once, when it finishes, in the metrics and in the {@link PaymentStats} stores. It forwards
 * nothing.
 */
final class PaymentStatusProcessor implements Processor<String, PaymentEvent, Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(PaymentStatusProcessor.class);

    private final PaymentMetrics metrics;
    private final PaymentStats stats;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, PaymentState> payments;

    PaymentStatusProcessor(PaymentMetrics metrics, PaymentStats stats) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.payments = context.getStateStore(PaymentStatusTopology.PAYMENTS_STORE);
        stats.init(context);
    }

    @Override
    public void process(Record<String, PaymentEvent> record) {
        PaymentEvent event = record.value();
        if (event == null || record.key() == null) {
            // Events are only written by this application; a tombstone carries no status to fold.
            LOG.warn("ignoring payment event without key or value at {}", context.recordMetadata().orElse(null));
            return;
        }
        PaymentState current = payments.get(record.key());
        PaymentStatusRules.Fold fold = PaymentStatusRules.fold(current, event);
        if (fold.refusedOverwrite()) {
            LOG.error("payment {} is already final; refused to overwrite it with {}", record.key(), event.getStatus());
            metrics.terminalOverwriteRefused();
        }
        if (fold.next() == null || fold.next().equals(current)) {
            return;
        }
        try {
            payments.put(record.key(), fold.next());
        } catch (RuntimeException e) {
            // Skipping would leave the payment PROCESSING for ever in this view: fail the task and replay instead.
            throw new FailTaskException("cannot store the status of payment " + record.key(), e);
        }
        long nowMs = context.currentSystemTimeMs();
        stats.record(current, event, fold.next(), record.timestamp(), nowMs);
        if (event.getStatus() == PaymentStatus.REFUND_SUCCEEDED || event.getStatus() == PaymentStatus.REFUND_FAILED) {
            metrics.refundEnded(event.getCurrency(), event.getStatus() == PaymentStatus.REFUND_SUCCEEDED
                    ? "SUCCEEDED" : "FAILED", event.getReason(), event.getAmount());
        }
        if (fold.finished()) {
            // Wall-clock time is read only for this metric; no stored state depends on it.
            metrics.paymentFinished(fold.next(), nowMs - event.getRequestedAtMs());
        }
    }
}
