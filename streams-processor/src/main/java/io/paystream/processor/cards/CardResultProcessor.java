package io.paystream.processor.cards;

import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AcquirerResult;
import io.paystream.schemas.validation.PaymentRequestRules;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on the first acquirer answer per payment ({@link CardResultRules}) and remembers it in
 * {@link CardResultTopology#CHARGES_STORE}, in the same transaction as what it emits: a duplicate answer, before or
 * after a crash, finds the payment there and changes nothing. An answer that names no payment, or is keyed by another
 * payment than it names, goes to the dead-letter topic.
 */
final class CardResultProcessor implements Processor<String, AcquirerResult, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(CardResultProcessor.class);

    private final Topic<String, AcquirerResult> source;
    private final EmissionSinks sinks;
    private final PaymentMetrics metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, String> charges;

    CardResultProcessor(Topic<String, AcquirerResult> source, EmissionSinks sinks, PaymentMetrics metrics) {
        this.source = Objects.requireNonNull(source, "source");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.charges = context.getStateStore(CardResultTopology.CHARGES_STORE);
    }

    @Override
    public void process(Record<String, AcquirerResult> record) {
        AcquirerResult result = record.value();
        if (result == null || record.key() == null || !record.key().equals(result.getPaymentId())
                || !PaymentRequestRules.isPaymentId(result.getPaymentId())) {
            IllegalArgumentException misrouted = new IllegalArgumentException(result == null
                    ? "acquirer result has no value"
                    : "acquirer result keyed " + record.key() + " names payment " + result.getPaymentId());
            LOG.warn("acquirer result goes to the dead-letter topic: {}", misrouted.getMessage());
            sinks.deadLetter(context, record, source, misrouted, metrics);
            return;
        }
        if (charges.get(result.getPaymentId()) != null) {
            metrics.duplicateChargeResult();
            return;
        }
        charges.put(result.getPaymentId(), CardResultRules.recorded(result));
        metrics.chargeResult(result.getStatus().name(), result.getDeclineCode());
        sinks.forward(context, record, CardResultRules.decide(result, record.timestamp()));
    }
}
