package io.paystream.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicCredentialTest {
    private static final String HASH = BasicCredential.sha256Hex("s3cret");

    private static String basic(String credential) {
        return "Basic " + Base64.getEncoder().encodeToString(credential.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlyTheConfiguredUserWithThePasswordOfTheHashPasses() {
        BasicCredential filter = new BasicCredential("ops", HASH);

        assertThat(filter.matches(basic("ops:s3cret"))).isTrue();
        assertThat(filter.matches(basic("ops:s3cret").replace("Basic", "basic"))).isTrue();
        assertThat(filter.matches(basic("ops:wrong"))).isFalse();
        assertThat(filter.matches(basic("root:s3cret"))).isFalse();
        assertThat(filter.matches(basic("ops:" + HASH))).as("the hash is not the password").isFalse();
        assertThat(filter.matches(basic("ops"))).isFalse();
        assertThat(filter.matches("Basic not-base64!")).isFalse();
        assertThat(filter.matches("Bearer " + HASH)).isFalse();
        assertThat(filter.matches(null)).isFalse();
    }
}
