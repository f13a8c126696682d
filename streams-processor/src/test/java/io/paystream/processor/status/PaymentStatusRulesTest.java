package io.paystream.processor.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RefundStatus;
import io.paystream.schemas.avro.RejectionReason;
import org.junit.jupiter.api.Test;

/** The fold of refund events into a payment's state. */
class PaymentStatusRulesTest {
    private static final PaymentState COMPLETED = PaymentState.newBuilder().setPaymentId("p").setType(
            PaymentType.TRANSFER).setFrom("alice").setTo("bob").setAmount(300).setCurrency("USD")
            .setStatus(PaymentStatus.COMPLETED).setCreatedAtMs(1).setUpdatedAtMs(2).build();

    private static PaymentEvent refund(PaymentStatus status, String actionId, long amount, RejectionReason reason,
            long at) {
        return PaymentEvent.newBuilder().setEventId("p:" + status + ":" + actionId).setPaymentId("p")
                .setStatus(status).setType(PaymentType.TRANSFER).setFrom("alice").setTo("bob").setAmount(amount)
                .setCurrency("USD").setReason(reason).setRequestedAtMs(1).setOccurredAtMs(at).setActionId(actionId)
                .setRefundReason(status == PaymentStatus.REFUND_PENDING ? "why" : null).build();
    }

    @Test
    void aRefundIsPendingThenEndsOnceAndOnlySuccessCountsInTheRefundedAmount() {
        PaymentState pending = PaymentStatusRules.fold(COMPLETED,
                refund(PaymentStatus.REFUND_PENDING, "a", 100, null, 3)).next();
        PaymentState succeeded = PaymentStatusRules.fold(pending,
                refund(PaymentStatus.REFUND_SUCCEEDED, "a", 100, null, 4)).next();
        PaymentState late = PaymentStatusRules.fold(succeeded,
                refund(PaymentStatus.REFUND_FAILED, "a", 100, RejectionReason.INTERNAL_ERROR, 5)).next();
        PaymentState failed = PaymentStatusRules.fold(late,
                refund(PaymentStatus.REFUND_FAILED, "b", 500, RejectionReason.EXCEEDS_REFUNDABLE, 6)).next();

        assertThat(pending.getRefunds()).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(RefundStatus.PENDING);
            assertThat(r.getReason()).isEqualTo("why");
        });
        assertThat(pending.getRefundedAmount()).isZero();
        assertThat(succeeded.getRefundedAmount()).isEqualTo(100);
        assertThat(late).as("a refund's end never changes").isEqualTo(succeeded);
        assertThat(failed.getRefunds()).extracting(r -> r.getActionId() + ":" + r.getStatus() + ":"
                + r.getFailureReason() + ":" + r.getReason() + ":" + r.getCreatedAtMs() + ":" + r.getUpdatedAtMs())
                .containsExactly("a:SUCCEEDED:null:why:3:4", "b:FAILED:EXCEEDS_REFUNDABLE:null:6:6");
        assertThat(failed.getRefundedAmount()).isEqualTo(100);
        assertThat(failed.getStatus()).isEqualTo(PaymentStatus.COMPLETED);
    }

    @Test
    void anActionIntakeCouldNotTieToThePaymentIsNotRecordedWithIt() {
        // Intake answered before it knew the payment; by the time the event is folded, the payment may be known.
        assertThat(PaymentStatusRules.fold(COMPLETED,
                refund(PaymentStatus.REFUND_FAILED, "c", 10, RejectionReason.UNKNOWN_PAYMENT, 3)).next()).isNull();
        assertThat(PaymentStatusRules.fold(COMPLETED, PaymentEvent.newBuilder(
                refund(PaymentStatus.VOID_FAILED, "d", 10, RejectionReason.UNKNOWN_PAYMENT, 3)).build()).next())
                .isNull();
        assertThat(PaymentStatusRules.fold(null,
                refund(PaymentStatus.REFUND_PENDING, "e", 10, null, 3)).next()).isNull();
    }
}
