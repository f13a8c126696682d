package io.paystream.processor.cards;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Failures;
import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AcquirerResult;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.validation.Money;
import io.paystream.schemas.validation.PaymentRequestRules;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each acquirer answer into a CARD_RESULT leg for the account it names. An answer that names no payment, is keyed
 * by another payment than it names, or names no account, goes to the dead-letter topic; everything else about it is
 * checked by the payee's task against the charge asked for.
 */
final class CardResultProcessor implements Processor<String, AcquirerResult, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(CardResultProcessor.class);

    private final Topic<String, AcquirerResult> source;
    private final EmissionSinks sinks;
    private final PaymentMetrics metrics;
    private ProcessorContext<Object, Object> context;

    CardResultProcessor(Topic<String, AcquirerResult> source, EmissionSinks sinks, PaymentMetrics metrics) {
        this.source = Objects.requireNonNull(source, "source");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, AcquirerResult> record) {
        String problem = problem(record);
        if (problem != null) {
            LOG.warn("acquirer result goes to the dead-letter topic: {}", problem);
            sinks.deadLetter(context, record, source, new IllegalArgumentException(problem), metrics);
            return;
        }
        AcquirerResult result = record.value();
        metrics.chargeResult(result.getStatus().name(), result.getDeclineCode());
        sinks.forward(context, record, Emissions.builder().leg(leg(result)).build());
    }

    /** The answer as a leg for the payee's task; its id names the answer, so each kind of answer is a distinct leg. */
    static LedgerCommand leg(AcquirerResult result) {
        return LedgerCommand.newBuilder()
                .setCommandId(result.getPaymentId() + ":" + LedgerCommandType.CARD_RESULT + ":" + result.getStatus())
                .setType(LedgerCommandType.CARD_RESULT)
                .setAccountId(result.getTo())
                .setPaymentId(result.getPaymentId())
                .setPaymentType(PaymentType.TOPUP)
                .setTo(result.getTo())
                .setAmount(result.getAmount())
                .setCurrency(result.getCurrency())
                .setRequestedAtMs(result.getRequestedAtMs())
                .setChargeStatus(result.getStatus())
                .setChargeId(result.getChargeId())
                .setDeclineCode(result.getDeclineCode())
                .build();
    }

    /** Why the record cannot be routed as an answer to a payment's charge, or null. */
    private static String problem(Record<String, AcquirerResult> record) {
        AcquirerResult result = record.value();
        if (result == null) {
            return "acquirer result has no value";
        }
        if (record.key() == null || !record.key().equals(result.getPaymentId())
                || !PaymentRequestRules.isPaymentId(result.getPaymentId())) {
            return "acquirer result keyed " + Failures.abbreviate(record.key()) + " names payment "
                    + Failures.abbreviate(result.getPaymentId());
        }
        if (!Money.isAccountId(result.getTo())) {
            return "acquirer result for payment " + result.getPaymentId() + " names no account: "
                    + Failures.abbreviate(result.getTo());
        }
        return null;
    }
}
