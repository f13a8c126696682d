package io.paystream.queries.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import org.junit.jupiter.api.Test;

class PaymentViewTest {
    private static final PaymentState HELD = PaymentState.newBuilder().setPaymentId("p-1").setType(PaymentType.PAYMENT)
            .setFrom("alice").setTo("shop").setAmount(200).setCurrency("USD").setStatus(PaymentStatus.AUTHORIZED)
            .setCreatedAtMs(0).setUpdatedAtMs(1_000).setAuthorizedAmount(200L).setHoldExpiresAtMs(604_800_000L)
            .build();

    @Test
    void anAuthorizationShowsItsAmountAndExpiry() {
        PaymentView view = PaymentView.of(HELD, false);

        assertThat(view.status()).isEqualTo("AUTHORIZED");
        assertThat(view.authorizedAmount()).isEqualTo(200);
        assertThat(view.holdExpiresAt()).isEqualTo("1970-01-08T00:00:00Z");
    }

    @Test
    void eachActionShowsWhatBecameOfIt() {
        PaymentView view = PaymentView.of(PaymentState.newBuilder(HELD).setStatus(PaymentStatus.COMPLETED)
                .setCapturedAmount(150L).setActions(java.util.List.of(
                        io.paystream.schemas.avro.ActionOutcome.newBuilder().setActionId("a-1")
                                .setType(io.paystream.schemas.avro.ActionType.CAPTURE).setSucceeded(true)
                                .setAmount(150L).setOccurredAtMs(2_000).build(),
                        io.paystream.schemas.avro.ActionOutcome.newBuilder().setActionId("a-2")
                                .setType(io.paystream.schemas.avro.ActionType.VOID).setSucceeded(false)
                                .setReason(io.paystream.schemas.avro.RejectionReason.NOT_AUTHORIZED)
                                .setDetail("no hold").setOccurredAtMs(3_000).build())).build(), false);

        assertThat(view.capturedAmount()).isEqualTo(150);
        assertThat(view.actions()).containsExactly(
                new PaymentView.ActionView("a-1", "CAPTURE", "SUCCEEDED", 150L, null, null, "1970-01-01T00:00:02Z"),
                new PaymentView.ActionView("a-2", "VOID", "FAILED", null, "NOT_AUTHORIZED", "no hold",
                        "1970-01-01T00:00:03Z"));
    }

    @Test
    void aRejectionSaysWhyInWordsAndACompletionSaysNothing() {
        PaymentView declined = PaymentView.of(PaymentState.newBuilder(HELD).setStatus(PaymentStatus.REJECTED)
                .setReason(io.paystream.schemas.avro.RejectionReason.CARD_DECLINED)
                .setDetail("the acquirer declined the card: card_declined").build(), false);
        assertThat(declined.reason()).isEqualTo("CARD_DECLINED");
        assertThat(declined.detail()).isEqualTo("the acquirer declined the card: card_declined");
        assertThat(PaymentView.of(PaymentState.newBuilder(HELD).setStatus(PaymentStatus.COMPLETED)
                .setDetail("stale words").build(), false).detail()).isNull();
    }

    @Test
    void aPaymentWithoutAHoldShowsNeither() {
        PaymentView view = PaymentView.of(PaymentState.newBuilder(HELD).setStatus(PaymentStatus.ACCEPTED)
                .setAuthorizedAmount(null).setHoldExpiresAtMs(null).build(), false);

        assertThat(view.status()).isEqualTo("PROCESSING");
        assertThat(view.authorizedAmount()).isNull();
        assertThat(view.holdExpiresAt()).isNull();
    }

    @Test
    void eachRefundShowsItsIdStatusAndReason() {
        String paymentId = "0b5c3a4e-8e8f-4d0e-9a59-3c1f1c1f2d11";
        String actionId = "7f0e6b5c-1c2d-4e3f-8a9b-0c1d2e3f4a5b";
        PaymentState refunded = PaymentState.newBuilder(HELD).setPaymentId(paymentId)
                .setStatus(PaymentStatus.COMPLETED).setRefundedAmount(40).setRefunds(java.util.List.of(
                        io.paystream.schemas.avro.RefundState.newBuilder().setActionId(actionId).setAmount(40)
                                .setStatus(io.paystream.schemas.avro.RefundStatus.SUCCEEDED).setReason("damaged")
                                .setCreatedAtMs(2_000).setUpdatedAtMs(2_500).build(),
                        io.paystream.schemas.avro.RefundState.newBuilder().setActionId(paymentId).setAmount(500)
                                .setStatus(io.paystream.schemas.avro.RefundStatus.FAILED)
                                .setFailureReason(io.paystream.schemas.avro.RejectionReason.EXCEEDS_REFUNDABLE)
                                .setDetail("too much").setCreatedAtMs(3_000).setUpdatedAtMs(3_000).build()))
                .build();

        PaymentView view = PaymentView.of(refunded, false);

        assertThat(view.refundedAmount()).isEqualTo(40);
        assertThat(view.refunds()).containsExactly(
                new RefundView(io.paystream.schemas.RefundIds.of(paymentId, actionId), paymentId, actionId, 40,
                        "USD", "SUCCEEDED", "damaged", null, null, "1970-01-01T00:00:02Z", "1970-01-01T00:00:02.500Z"),
                new RefundView(io.paystream.schemas.RefundIds.of(paymentId, paymentId), paymentId, paymentId, 500,
                        "USD", "FAILED", null, "EXCEEDS_REFUNDABLE", "too much", "1970-01-01T00:00:03Z",
                        "1970-01-01T00:00:03Z"));
        assertThat(PaymentView.of(HELD, false).refunds()).isEmpty();
    }
}
