package io.paystream.processor.status;

import io.paystream.schemas.PaymentStatuses;
import io.paystream.schemas.avro.ActionOutcome;
import io.paystream.schemas.avro.ActionType;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.avro.RefundState;
import io.paystream.schemas.avro.RefundStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds a payment's events into the state that the query API serves. ACCEPTED opens the payment as PROCESSING; the
 * first terminal event closes it; nothing ever changes a terminal state.
 */
public final class PaymentStatusRules {
    private PaymentStatusRules() {
    }

    /**
     * The result of folding one event.
     *
     * @param next the state to store, or null when the event changes nothing
     * @param refusedOverwrite true when the event tried to give a finished payment another terminal status
     */
    public record Fold(PaymentState next, boolean refusedOverwrite, boolean finished) {
        Fold(PaymentState next, boolean refusedOverwrite) {
            this(next, refusedOverwrite, next != null && isTerminal(next.getStatus()));
        }
    }

    /** How many action outcomes a payment keeps: the latest, so that no client can grow its state without bound. */
    static final int ACTIONS_KEPT = 20;

    /** Folds {@code event} into {@code current} (null before the payment's first event). */
    public static Fold fold(PaymentState current, PaymentEvent event) {
        if (isActionOutcome(event.getStatus()) && event.getReason() == RejectionReason.UNKNOWN_PAYMENT) {
            // Intake did not know the payment when the action came: the action is not one of the payment's, even if
            // the payment is known by the time this event is folded (which depends on timing, not on the log).
            return new Fold(null, false);
        }
        if (PaymentStatuses.isRefund(event.getStatus())) {
            return current == null ? new Fold(null, false) : new Fold(withRefund(current, event), false, false);
        }
        if (isActionOutcome(event.getStatus())) {
            // An action that failed leaves the payment as it was, and is recorded with it.
            return current == null ? new Fold(null, false)
                    : new Fold(PaymentState.newBuilder(current).setActions(withAction(current, event)).build(), false,
                            false);
        }
        if (current != null && isTerminal(current.getStatus())) {
            boolean conflicting = isTerminal(event.getStatus()) && !event.getStatus().equals(current.getStatus());
            return new Fold(null, conflicting);
        }
        // ACCEPTED opens the payment; AUTHORIZED may follow it; a terminal status closes it. Nothing goes back.
        if (current != null && !isTerminal(event.getStatus())
                && rank(event.getStatus()) <= rank(current.getStatus())) {
            return new Fold(null, false);
        }
        PaymentState next = PaymentState.newBuilder()
                .setPaymentId(event.getPaymentId())
                .setType(event.getType())
                .setFrom(event.getFrom())
                .setTo(event.getTo())
                .setAmount(event.getAmount())
                .setCurrency(event.getCurrency())
                .setReference(current == null ? event.getReference() : current.getReference())
                .setStatus(event.getStatus())
                .setReason(event.getReason())
                .setDetail(event.getDetail())
                .setCreatedAtMs(event.getRequestedAtMs())
                .setUpdatedAtMs(event.getOccurredAtMs())
                .setAuthorizedAmount(event.getStatus() == PaymentStatus.AUTHORIZED ? Long.valueOf(event.getAmount())
                        : current == null ? null : current.getAuthorizedAmount())
                .setHoldExpiresAtMs(event.getHoldExpiresAtMs() != null ? event.getHoldExpiresAtMs()
                        : current == null ? null : current.getHoldExpiresAtMs())
                .setCapturedAmount(event.getCapturedAmount())
                .setActions(event.getActionId() == null ? actionsOf(current) : withAction(current, event))
                .setRefundedAmount(current == null ? 0 : current.getRefundedAmount())
                .setRefunds(current == null ? List.of() : current.getRefunds())
                // Only intake's events know the batch; the ledger's later ones do not repeat it.
                .setBatchId(current == null || current.getBatchId() == null ? event.getBatchId()
                        : current.getBatchId())
                .setBatchIndex(current == null || current.getBatchIndex() == null ? event.getBatchIndex()
                        : current.getBatchIndex())
                .setBatchSize(current == null || current.getBatchSize() == null ? event.getBatchSize()
                        : current.getBatchSize())
                .setBatchAtomic((current == null || current.getBatchAtomic() == null) ? event.getBatchAtomic()
                        : current.getBatchAtomic())
                .build();
        return new Fold(next, false);
    }

    /**
     * The payment with one refund's news: REFUND_PENDING adds it, REFUND_SUCCEEDED (which adds its amount to
     * {@code refundedAmount}) or REFUND_FAILED ends it. A refund that failed at intake was never pending, and a
     * refund's end never changes: a repeated or late event changes nothing.
     */
    private static PaymentState withRefund(PaymentState current, PaymentEvent event) {
        List<RefundState> refunds = new ArrayList<>(current.getRefunds());
        int index = -1;
        for (int i = 0; i < refunds.size(); i++) {
            if (refunds.get(i).getActionId().equals(event.getActionId())) {
                index = i;
            }
        }
        RefundState known = index < 0 ? null : refunds.get(index);
        if (known != null && (known.getStatus() != RefundStatus.PENDING
                || event.getStatus() == PaymentStatus.REFUND_PENDING)) {
            return current;
        }
        RefundStatus status = switch (event.getStatus()) {
            case REFUND_SUCCEEDED -> RefundStatus.SUCCEEDED;
            case REFUND_FAILED -> RefundStatus.FAILED;
            default -> RefundStatus.PENDING;
        };
        RefundState next = RefundState.newBuilder()
                .setActionId(event.getActionId())
                .setAmount(event.getAmount())
                .setStatus(status)
                .setReason(known == null ? event.getRefundReason() : known.getReason())
                .setFailureReason(status == RefundStatus.FAILED ? event.getReason() : null)
                .setDetail(status == RefundStatus.FAILED ? event.getDetail() : null)
                .setCreatedAtMs(known == null ? event.getOccurredAtMs() : known.getCreatedAtMs())
                .setUpdatedAtMs(event.getOccurredAtMs())
                .build();
        if (known == null) {
            refunds.add(next);
        } else {
            refunds.set(index, next);
        }
        long refunded = current.getRefundedAmount() + (status == RefundStatus.SUCCEEDED ? event.getAmount() : 0);
        return PaymentState.newBuilder(current).setRefunds(refunds).setRefundedAmount(refunded).build();
    }

    private static List<ActionOutcome> actionsOf(PaymentState current) {
        return current == null ? List.of() : current.getActions();
    }

    /**
     * The payment's action outcomes with the one {@code event} reports: the latest {@link #ACTIONS_KEPT}, and the one
     * that succeeded whatever its age.
     */
    private static List<ActionOutcome> withAction(PaymentState current, PaymentEvent event) {
        List<ActionOutcome> actions = new ArrayList<>(actionsOf(current));
        boolean succeeded = !isActionOutcome(event.getStatus());
        ActionType type = switch (event.getStatus()) {
            case VOIDED, VOID_FAILED -> ActionType.VOID;
            default -> ActionType.CAPTURE;
        };
        actions.add(ActionOutcome.newBuilder()
                .setActionId(event.getActionId())
                .setType(type)
                .setSucceeded(succeeded)
                .setAmount(type == ActionType.VOID ? null : succeeded ? event.getCapturedAmount()
                        : Long.valueOf(event.getAmount()))
                .setReason(succeeded ? null : event.getReason())
                .setDetail(succeeded ? null : event.getDetail())
                .setOccurredAtMs(event.getOccurredAtMs())
                .build());
        // The oldest failed outcomes go first: the capture or void that succeeded (one per payment at most) is kept for
        // ever, because intake answers a late retry of it from here.
        for (int i = 0; actions.size() > ACTIONS_KEPT && i < actions.size(); ) {
            if (actions.get(i).getSucceeded()) {
                i++;
            } else {
                actions.remove(i);
            }
        }
        return List.copyOf(actions);
    }

    /** True for the statuses a payment ends in ({@link PaymentStatuses#isTerminal}). */
    public static boolean isTerminal(PaymentStatus status) {
        return PaymentStatuses.isTerminal(status);
    }

    private static boolean isActionOutcome(PaymentStatus status) {
        return PaymentStatuses.isActionOutcome(status);
    }

    private static int rank(PaymentStatus status) {
        return PaymentStatuses.rank(status);
    }
}
