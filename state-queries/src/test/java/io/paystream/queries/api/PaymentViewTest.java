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
    void aPaymentWithoutAHoldShowsNeither() {
        PaymentView view = PaymentView.of(PaymentState.newBuilder(HELD).setStatus(PaymentStatus.ACCEPTED)
                .setAuthorizedAmount(null).setHoldExpiresAtMs(null).build(), false);

        assertThat(view.status()).isEqualTo("PROCESSING");
        assertThat(view.authorizedAmount()).isNull();
        assertThat(view.holdExpiresAt()).isNull();
    }
}
