package io.paystream.ingress.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class PaymentIdsTest {
    static final String SECRET = "test-payment-id-secret-0123456789abcdef";
    private final PaymentIds ids = new PaymentIds(SECRET);

    @Test
    void theSameClientAccountAndKeyAlwaysGiveTheSameId() {
        assertThat(ids.derive("acme", "acme-1", "order-17"))
                .isEqualTo(new PaymentIds(SECRET).derive("acme", "acme-1", "order-17"));
    }

    @Test
    void anotherClientAccountOrKeyGivesAnotherId() {
        String id = ids.derive("acme", "acme-1", "order-17");

        assertThat(ids.derive("globex", "acme-1", "order-17")).isNotEqualTo(id);
        assertThat(ids.derive("acme", "acme-2", "order-17")).as("the key is scoped to the account").isNotEqualTo(id);
        assertThat(ids.derive("acme", "acme-1", "order-18")).isNotEqualTo(id);
    }

    /** Squatting: without the secret, nobody can compute the id another client's next request will get. */
    @Test
    void withoutTheSecretTheIdCannotBeComputed() {
        String id = ids.derive("acme", "acme-1", "order-17");

        assertThat(new PaymentIds(SECRET + "x").derive("acme", "acme-1", "order-17")).isNotEqualTo(id);
        assertThat(id).as("the former public derivation, UUIDv5 of the pair")
                .isNotEqualTo(UUID.nameUUIDFromBytes("acme\norder-17".getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
        assertThatThrownBy(() -> new PaymentIds("short")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32");
    }

    @Test
    void isAVersion8RfcUuidInCanonicalForm() {
        String id = ids.derive("acme", "acme-1", "order-17");
        UUID uuid = UUID.fromString(id);

        assertThat(uuid.version()).isEqualTo(8);
        assertThat(uuid.variant()).isEqualTo(2);
        assertThat(uuid.toString()).isEqualTo(id);
    }

    @Test
    void matchesAnIndependentComputationAndStaysStableAcrossReleases() {
        // Pinned: changing the encoding would give retried requests new payment ids. Computed independently in Python:
        // hmac.new(SECRET, b'local-dev\nalice\norder-1', sha256), first 16 bytes, version 8 and variant bits set.
        assertThat(ids.derive("local-dev", "alice", "order-1")).isEqualTo("bcd7b07a-f7c5-85d4-91ce-c22fcbcebcc1");
    }

    @Test
    void aBatchAndEachOfItsPaymentsHaveStableIdsThatNoOtherIdMeets() {
        String batch = ids.deriveBatch("acme", "payroll-1");
        String first = io.paystream.schemas.BatchIds.paymentId(batch, 0);

        assertThat(ids.deriveBatch("acme", "payroll-1")).isEqualTo(batch);
        assertThat(ids.deriveBatch("acme", "payroll-2")).isNotEqualTo(batch);
        assertThat(ids.deriveBatch("globex", "payroll-1")).isNotEqualTo(batch);
        assertThat(io.paystream.schemas.BatchIds.paymentId(batch, 1)).isNotEqualTo(first);
        assertThat(UUID.fromString(first).version()).isEqualTo(8);
        assertThat(java.util.List.of(batch, first)).doesNotContain(ids.derive("acme", "batch", "payroll-1"),
                ids.derive("acme", "", "payroll-1"), ids.deriveAction("acme", "batch", "payroll-1", "0"));
        // Pinned, computed independently in Python: hmac(SECRET, b'local-dev\n\nbatch\npayroll-1'), and
        // sha256(b'batch-payment\n' + batchId + b'\n7'), each cut to 16 bytes with the version-8 bits.
        assertThat(ids.deriveBatch("local-dev", "payroll-1")).isEqualTo("268f1278-21d8-8ad3-85f3-f9729da3296a");
        assertThat(io.paystream.schemas.BatchIds.paymentId("268f1278-21d8-8ad3-85f3-f9729da3296a", 7))
                .isEqualTo("23ad1e92-581a-81ac-a9d5-77f70ae83524");
    }
}
