package io.paystream.processor.intake;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Payment;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.processor.status.PaymentStatusRules;
import io.paystream.schemas.avro.ActionOutcome;
import io.paystream.schemas.avro.ActionType;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RefundState;
import io.paystream.schemas.avro.RejectionReason;
import java.util.Objects;

/**
 * Intake of actions on existing payments, as a pure function. Intake deduplicates an action by its id and routes it to
 * the task that decides it: a CAPTURE or a VOID to the payer's ledger task, which holds the authorization; a REFUND to
 * the payee's, which keeps what the payment has refunded. It answers at once only what it already knows from the
 * payment's status: an unknown payment, one that has already ended (for a capture or a void), or one that has not
 * completed (for a refund).
 */
public final class PaymentActionRules {
    /** How much of a conflicting fingerprint names its journal entry. */
    private static final int CONFLICT_ID_HEX_CHARS = 16;
    /** How many refunds a payment takes, so that no client can grow a payment's state without bound. */
    public static final int REFUNDS_MAX = 100;

    private PaymentActionRules() {
    }

    /**
     * Decides what to do with an action.
     *
     * @param action the action, whose payment id equals the record key
     * @param storedFingerprint the fingerprint stored for this action id within the idempotency window, or null
     * @param payment the payment's status, or null when this processor does not know the payment
     * @param nowMs the action record's timestamp
     */
    public static IntakeOutcome decide(PaymentAction action, String storedFingerprint, PaymentState payment,
            long nowMs) {
        Objects.requireNonNull(action, "action");
        String fingerprint = RequestFingerprint.of(action);
        Payment facts = payment == null
                ? new Payment(action.getPaymentId(), null, null, null, 0, null, null, nowMs)
                : new Payment(payment.getPaymentId(), payment.getType(), payment.getFrom(), payment.getTo(),
                        payment.getAmount(), payment.getCurrency(), payment.getReference(), payment.getCreatedAtMs());
        if (storedFingerprint != null) {
            if (storedFingerprint.equals(fingerprint)) {
                return new IntakeOutcome(IntakeOutcome.Kind.DUPLICATE, null, Emissions.none());
            }
            return new IntakeOutcome(IntakeOutcome.Kind.CONFLICT, null, Emissions.builder()
                    .audit(PaymentRecords.rejection(facts, "ACTION-" + fingerprint.substring(0, CONFLICT_ID_HEX_CHARS),
                            facts.primaryAccountId(), RejectionReason.IDEMPOTENCY_CONFLICT, "action id "
                                    + action.getActionId() + " was already used for a different action", nowMs))
                    .build());
        }
        if (payment != null) {
            // The fingerprint has left the window, but the payment's status still knows every action applied to it:
            // a late retry is answered from there and never applied twice.
            Boolean same = sameAsApplied(action, payment);
            if (same != null) {
                return same ? new IntakeOutcome(IntakeOutcome.Kind.DUPLICATE, fingerprint, Emissions.none())
                        : new IntakeOutcome(IntakeOutcome.Kind.CONFLICT, null, Emissions.builder()
                                .audit(PaymentRecords.rejection(facts, "ACTION-"
                                                + fingerprint.substring(0, CONFLICT_ID_HEX_CHARS),
                                        facts.primaryAccountId(), RejectionReason.IDEMPOTENCY_CONFLICT, "action id "
                                                + action.getActionId() + " was already used for a different action",
                                        nowMs))
                                .build());
            }
        }
        PaymentStatus failed = failedStatus(action.getType());
        // A failed action's event carries what the action asked for: a capture's amount, when it named one.
        Payment asked = action.getAmount() == null ? facts : new Payment(facts.paymentId(), facts.type(), facts.from(),
                facts.to(), action.getAmount(), facts.currency(), facts.reference(), facts.requestedAtMs());
        if (payment == null) {
            return new IntakeOutcome(IntakeOutcome.Kind.INVALID, fingerprint, PaymentRecords.actionFailed(asked,
                    action.getActionId(), failed, "INTAKE", facts.primaryAccountId(), RejectionReason.UNKNOWN_PAYMENT,
                    "no payment " + action.getPaymentId() + " is known", nowMs));
        }
        if (action.getType() == ActionType.REFUND) {
            return refund(action, fingerprint, payment, asked, nowMs);
        }
        if (PaymentStatusRules.isTerminal(payment.getStatus()) || payment.getFrom() == null) {
            return new IntakeOutcome(IntakeOutcome.Kind.INVALID, fingerprint, PaymentRecords.actionFailed(asked,
                    action.getActionId(), failed, "INTAKE", facts.primaryAccountId(), RejectionReason.NOT_AUTHORIZED,
                    "payment " + payment.getPaymentId() + " is " + payment.getStatus()
                            + " and holds no open authorization", nowMs));
        }
        // ACCEPTED or AUTHORIZED: the payer's task, which holds the authorization (or is about to), decides. Its HOLD
        // leg was written before this one, by this task, so it arrives there first.
        LedgerCommand leg = LedgerCommand.newBuilder(PaymentRecords.leg(facts, legType(action.getType()),
                        facts.from(), null))
                .setCommandId(facts.paymentId() + ":" + legType(action.getType()) + ":" + action.getActionId())
                .setActionId(action.getActionId())
                // A capture's amount, or 0 for the whole hold; a void releases all of it.
                .setAmount(action.getAmount() == null ? 0 : action.getAmount())
                .build();
        return new IntakeOutcome(IntakeOutcome.Kind.ACCEPTED, fingerprint, Emissions.builder().leg(leg).build());
    }

    /**
     * A refund of a COMPLETED transfer or payment: REFUND_PENDING at once, and a REFUND leg to the payee's task, which
     * decides it against what the payment completed with (its captured amount after a capture).
     */
    private static IntakeOutcome refund(PaymentAction action, String fingerprint, PaymentState payment, Payment asked,
            long nowMs) {
        String refusal = null;
        RejectionReason reason = RejectionReason.PAYMENT_NOT_COMPLETED;
        if (payment.getType() != PaymentType.TRANSFER && payment.getType() != PaymentType.PAYMENT) {
            reason = RejectionReason.INVALID_REQUEST;
            refusal = "a " + payment.getType() + " has no payer to refund; only a TRANSFER or a PAYMENT is refunded";
        } else if (payment.getStatus() != PaymentStatus.COMPLETED) {
            refusal = "payment " + payment.getPaymentId() + " is " + payment.getStatus() + ", not COMPLETED";
        } else if (payment.getRefunds().size() >= REFUNDS_MAX) {
            reason = RejectionReason.LIMIT_EXCEEDED;
            refusal = "payment " + payment.getPaymentId() + " has had " + REFUNDS_MAX + " refunds, the most it takes";
        }
        if (refusal != null) {
            return new IntakeOutcome(IntakeOutcome.Kind.INVALID, fingerprint, PaymentRecords.actionFailed(asked,
                    action.getActionId(), PaymentStatus.REFUND_FAILED, "INTAKE", asked.primaryAccountId(), reason,
                    refusal, nowMs));
        }
        long completed = payment.getCapturedAmount() != null ? payment.getCapturedAmount() : payment.getAmount();
        LedgerCommand leg = LedgerCommand.newBuilder(PaymentRecords.leg(asked, LedgerCommandType.REFUND,
                        asked.to(), null))
                .setCommandId(asked.paymentId() + ":" + LedgerCommandType.REFUND + ":" + action.getActionId())
                .setActionId(action.getActionId())
                .setRefundableAmount(completed)
                .build();
        PaymentEvent pending = PaymentEvent.newBuilder(PaymentRecords.event(asked, PaymentStatus.REFUND_PENDING, null,
                        null, nowMs))
                .setEventId(asked.paymentId() + ":" + PaymentStatus.REFUND_PENDING + ":" + action.getActionId())
                .setActionId(action.getActionId())
                .setRefundReason(action.getReason())
                .build();
        return new IntakeOutcome(IntakeOutcome.Kind.ACCEPTED, fingerprint,
                Emissions.builder().event(pending).leg(leg).build());
    }

    /**
     * Whether the payment's status already holds this action id: true when it holds the same action (a retry), false
     * when the id was used for another action, null when the status has never seen it. Every refund is kept in the
     * status, and so is the capture or void that succeeded (at most one per payment); failed captures and voids may
     * have been forgotten, and moved no money.
     */
    static Boolean sameAsApplied(PaymentAction action, PaymentState payment) {
        for (RefundState refund : payment.getRefunds()) {
            if (refund.getActionId().equals(action.getActionId())) {
                return action.getType() == ActionType.REFUND && action.getAmount() != null
                        && action.getAmount() == refund.getAmount()
                        && Objects.equals(action.getReason(), refund.getReason());
            }
        }
        for (ActionOutcome outcome : payment.getActions()) {
            if (outcome.getActionId().equals(action.getActionId())) {
                return action.getType() == outcome.getType() && (action.getAmount() == null
                        || outcome.getAmount() == null || action.getAmount().equals(outcome.getAmount()));
            }
        }
        return null;
    }

    private static PaymentStatus failedStatus(ActionType type) {
        return switch (type) {
            case VOID -> PaymentStatus.VOID_FAILED;
            case CAPTURE -> PaymentStatus.CAPTURE_FAILED;
            case REFUND -> PaymentStatus.REFUND_FAILED;
        };
    }

    private static LedgerCommandType legType(ActionType type) {
        return switch (type) {
            case VOID -> LedgerCommandType.VOID;
            case CAPTURE -> LedgerCommandType.CAPTURE;
            case REFUND -> LedgerCommandType.REFUND;
        };
    }
}
