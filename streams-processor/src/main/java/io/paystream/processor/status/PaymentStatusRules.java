package io.paystream.processor.status;

import io.paystream.schemas.PaymentStatuses;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;

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
    public record Fold(PaymentState next, boolean refusedOverwrite) {
        /** True when this fold finished the payment. */
        public boolean finished() {
            return next != null && isTerminal(next.getStatus());
        }
    }

    /** Folds {@code event} into {@code current} (null before the payment's first event). */
    public static Fold fold(PaymentState current, PaymentEvent event) {
        if (isActionOutcome(event.getStatus())) {
            // An action that failed leaves the payment as it was.
            return new Fold(null, false);
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
                .build();
        return new Fold(next, false);
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
