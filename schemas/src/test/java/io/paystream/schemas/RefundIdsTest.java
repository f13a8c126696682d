package io.paystream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class RefundIdsTest {
    @Test
    void aRefundIdCarriesThePaymentAndTheActionBack() {
        for (int i = 0; i < 200; i++) {
            String paymentId = UUID.randomUUID().toString();
            String actionId = UUID.randomUUID().toString();
            String refundId = RefundIds.of(paymentId, actionId);
            assertThat(refundId).startsWith("rf_").hasSize(46);
            assertThat(RefundIds.parse(refundId)).contains(new RefundIds.Parts(paymentId, actionId));
        }
    }

    @Test
    void anythingElseIsNotARefundId() {
        String refundId = RefundIds.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        assertThat(RefundIds.parse(null)).isEmpty();
        assertThat(RefundIds.parse("")).isEmpty();
        assertThat(RefundIds.parse(UUID.randomUUID().toString())).isEmpty();
        assertThat(RefundIds.parse(refundId.substring(0, 45))).isEmpty();
        assertThat(RefundIds.parse(refundId + "A")).isEmpty();
        assertThat(RefundIds.parse("re_" + refundId.substring(3))).isEmpty();
        assertThat(RefundIds.parse("rf_" + "+".repeat(43))).isEmpty();
        // The last character carries 2 unused bits: a string differing only there decodes to the same bytes.
        char last = refundId.charAt(45);
        char sibling = (char) (last ^ 1);
        if (Character.isLetterOrDigit(sibling)) {
            assertThat(RefundIds.parse(refundId.substring(0, 45) + sibling))
                    .isEmpty();
        }
    }
}
