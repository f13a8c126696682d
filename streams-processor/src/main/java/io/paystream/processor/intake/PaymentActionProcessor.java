package io.paystream.processor.intake;

import io.paystream.processor.core.Failures;
import io.paystream.processor.errors.FailTaskException;
import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.ActionType;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.validation.Money;
import io.paystream.schemas.validation.PaymentRequestRules;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes actions on payments ({@code payments.actions.v1}, key paymentId) through {@link PaymentActionRules}: it
 * remembers each action id's fingerprint in the {@code payment-action-fingerprints} window store, and reads the
 * payment's status from the status view's store, which lives in the same task. An action that cannot be identified or is malformed goes to the
 * dead-letter topic.
 */
final class PaymentActionProcessor implements Processor<String, PaymentAction, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(PaymentActionProcessor.class);

    private final Topic<String, PaymentAction> source;
    private final EmissionSinks sinks;
    private final Duration idempotencyWindow;
    private final String statusStore;
    private final PaymentMetrics metrics;
    private ProcessorContext<Object, Object> context;
    private RecentFingerprints fingerprints;
    private KeyValueStore<String, PaymentState> statuses;

    PaymentActionProcessor(Topic<String, PaymentAction> source, EmissionSinks sinks, Duration idempotencyWindow,
            String statusStore, PaymentMetrics metrics) {
        this.source = Objects.requireNonNull(source, "source");
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

    @Override
    public void process(Record<String, PaymentAction> record) {
        String problem = problem(record);
        if (problem != null) {
            IllegalArgumentException unusable = new IllegalArgumentException(problem);
            LOG.warn("payment action goes to the dead-letter topic: {}", problem);
            sinks.deadLetter(context, record, source, unusable, metrics);
            return;
        }
        PaymentAction action = record.value();
        long nowMs = RecentFingerprints.now(context, record);
        IntakeOutcome outcome;
        try {
            outcome = PaymentActionRules.decide(action, fingerprints.find(action.getActionId(), nowMs),
                    statuses.get(record.key()), record.timestamp());
        } catch (RuntimeException e) {
            throw new FailTaskException("cannot decide payment action " + action.getActionId(), e);
        }
        switch (outcome.kind()) {
            case DUPLICATE -> metrics.duplicateDropped();
            case CONFLICT -> metrics.idempotencyConflict();
            default -> {
            }
        }
        try {
            if (outcome.fingerprintToStore() != null) {
                fingerprints.remember(action.getActionId(), outcome.fingerprintToStore(), nowMs);
            }
            sinks.forward(context, record, outcome.emissions());
        } catch (RuntimeException e) {
            throw new FailTaskException("cannot record payment action " + action.getActionId(), e);
        }
    }

    /** Why the record cannot be handled as an action, or null. */
    private static String problem(Record<String, PaymentAction> record) {
        PaymentAction action = record.value();
        if (action == null) {
            return "payment action record has no value";
        }
        if (!PaymentRequestRules.isPaymentId(action.getPaymentId()) || !action.getPaymentId().equals(record.key())) {
            return "the action's paymentId " + Failures.abbreviate(action.getPaymentId())
                    + " is not a lower-case UUID equal to the record key " + Failures.abbreviate(record.key());
        }
        if (!PaymentRequestRules.isPaymentId(action.getActionId())) {
            return "the actionId is not a lower-case UUID: " + Failures.abbreviate(action.getActionId());
        }
        if (action.getType() == null) {
            return "the action has no type";
        }
        if (action.getType() == ActionType.REFUND && action.getAmount() == null) {
            return "a REFUND names its amount";
        }
        // A refund's reason is free text under the rules of a payment's reference.
        if (action.getReason() != null && (action.getType() != ActionType.REFUND
                || !PaymentRequestRules.isValidReference(action.getReason()))) {
            return "only a REFUND takes a reason, of at most " + PaymentRequestRules.REFERENCE_LENGTH_MAX
                    + " printable characters";
        }
        if (action.getType() == ActionType.VOID && action.getAmount() != null) {
            return "a VOID releases the whole hold and takes no amount";
        }
        if (action.getAmount() != null && !Money.isValidAmount(action.getAmount())) {
            return "the action's amount " + action.getAmount() + " is not between " + Money.MIN_AMOUNT_MINOR
                    + " and " + Money.MAX_AMOUNT_MINOR;
        }
        return null;
    }
}
