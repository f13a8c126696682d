package io.paystream.schemas;

import io.paystream.schemas.avro.PaymentStatus;

/**
 * What each {@link PaymentStatus} means to a reader of {@code payments.events.v1}: ACCEPTED opens a payment,
 * AUTHORIZED holds it open while a manual-capture hold lasts, a terminal status ends it, and an action outcome
 * (VOID_FAILED, CAPTURE_FAILED, and a refund's REFUND_PENDING, REFUND_SUCCEEDED, REFUND_FAILED) reports on an action
 * and is never the payment's status: a refunded payment stays COMPLETED, with its refunds.
 */
public final class PaymentStatuses {
    private PaymentStatuses() {
    }

    /** True for COMPLETED, REJECTED, REVERSED, VOIDED and EXPIRED: the statuses a payment ends in. */
    public static boolean isTerminal(PaymentStatus status) {
        return switch (status) {
            case COMPLETED, REJECTED, REVERSED, VOIDED, EXPIRED -> true;
            case ACCEPTED, AUTHORIZED, VOID_FAILED, CAPTURE_FAILED, REFUND_PENDING, REFUND_SUCCEEDED, REFUND_FAILED ->
                    false;
        };
    }

    /** True for the outcome of an action that an event carries but the payment never takes as its status. */
    public static boolean isActionOutcome(PaymentStatus status) {
        return status == PaymentStatus.VOID_FAILED || status == PaymentStatus.CAPTURE_FAILED || isRefund(status);
    }

    /** True for REFUND_PENDING, REFUND_SUCCEEDED and REFUND_FAILED: the life of one refund. */
    public static boolean isRefund(PaymentStatus status) {
        return status == PaymentStatus.REFUND_PENDING || status == PaymentStatus.REFUND_SUCCEEDED
                || status == PaymentStatus.REFUND_FAILED;
    }

    /** Where a status sits in a payment's life: 0 ACCEPTED, 1 AUTHORIZED, 2 ended; a payment only moves forward. */
    public static int rank(PaymentStatus status) {
        return status == PaymentStatus.ACCEPTED ? 0 : status == PaymentStatus.AUTHORIZED ? 1 : 2;
    }
}
