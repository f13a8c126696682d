package io.paystream.ingress.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class PaymentIdsTest {
    @Test
    void theSameClientAndKeyAlwaysGiveTheSameId() {
        assertThat(PaymentIds.derive("acme", "order-17")).isEqualTo(PaymentIds.derive("acme", "order-17"));
    }

    @Test
    void anotherClientOrKeyGivesAnotherId() {
        String id = PaymentIds.derive("acme", "order-17");

        assertThat(PaymentIds.derive("globex", "order-17")).isNotEqualTo(id);
        assertThat(PaymentIds.derive("acme", "order-18")).isNotEqualTo(id);
    }

    @Test
    void isAVersion5RfcUuidInCanonicalForm() {
        String id = PaymentIds.derive("acme", "order-17");
        UUID uuid = UUID.fromString(id);

        assertThat(uuid.version()).isEqualTo(5);
        assertThat(uuid.variant()).isEqualTo(2);
        assertThat(uuid.toString()).isEqualTo(id);
    }

    @Test
    void matchesTheRfcAlgorithmAndStaysStableAcrossReleases() {
        // Pinned: changing the namespace or the encoding would give retried requests new payment ids. The value was
        // computed independently with Python's uuid.uuid5(UUID('8d3f1f5e-7a51-4c7e-9b0e-2f6b0d6c5a41'),
        // 'local-dev\norder-1').
        assertThat(PaymentIds.derive("local-dev", "order-1")).isEqualTo("5ece925e-dda8-5fb4-87db-c006c4232021");
    }
}
