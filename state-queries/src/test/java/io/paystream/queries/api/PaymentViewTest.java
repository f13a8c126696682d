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
    void aPaymentWithoutAHoldShowsNeither() {
        PaymentView view = PaymentView.of(PaymentState.newBuilder(HELD).setStatus(PaymentStatus.ACCEPTED)
                .setAuthorizedAmount(null).setHoldExpiresAtMs(null).build(), false);

        assertThat(view.status()).isEqualTo("PROCESSING");
        assertThat(view.authorizedAmount()).isNull();
        assertThat(view.holdExpiresAt()).isNull();
    }
}
