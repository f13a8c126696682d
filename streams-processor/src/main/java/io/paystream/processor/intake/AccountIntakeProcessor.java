package io.paystream.processor.intake;

import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AccountRequest;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes account requests through {@link AccountIntakeRules}. Records without a value, or keyed by another account
 * than the one they name, would reach the wrong ledger task, so they go to the dead-letter topic instead.
 */
final class AccountIntakeProcessor implements Processor<String, AccountRequest, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(AccountIntakeProcessor.class);

    private final Topic<String, AccountRequest> source;
    private final EmissionSinks sinks;
    private final PaymentMetrics metrics;
    private ProcessorContext<Object, Object> context;

    AccountIntakeProcessor(Topic<String, AccountRequest> source, EmissionSinks sinks, PaymentMetrics metrics) {
        this.source = Objects.requireNonNull(source, "source");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, AccountRequest> record) {
        AccountRequest request = record.value();
        if (request == null || record.key() == null || !record.key().equals(request.getAccountId())) {
            IllegalArgumentException misrouted = new IllegalArgumentException(request == null
                    ? "account request record has no value"
                    : "record key " + record.key() + " is not the request's accountId " + request.getAccountId());
            LOG.warn("account request goes to the dead-letter topic: {}", misrouted.getMessage());
            sinks.deadLetter(context, record, source, misrouted, metrics);
            return;
        }
        sinks.forward(context, record, AccountIntakeRules.decide(request, record.timestamp()));
    }
}
