package io.paystream.sinks.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class BasicAuthRestExtensionTest {
    private static final String HASH = BasicAuthRestExtension.sha256Hex("s3cret");

    private static String basic(String credential) {
        return "Basic " + Base64.getEncoder().encodeToString(credential.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aWorkerWithoutACompleteCredentialDoesNotStart() {
        BasicAuthRestExtension extension = new BasicAuthRestExtension();
        assertThatThrownBy(() -> extension.configure(Map.of(BasicAuthRestExtension.PASSWORD_SHA256, HASH)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(BasicAuthRestExtension.USER);
        assertThatThrownBy(() -> extension.configure(Map.of(BasicAuthRestExtension.USER, "ops",
                BasicAuthRestExtension.PASSWORD_SHA256, "s3cret")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SHA-256");
    }

    @Test
    void onlyTheConfiguredUserWithThePasswordOfTheHashPasses() {
        BasicAuthRestExtension.Filter filter = new BasicAuthRestExtension.Filter(
                ("ops:" + HASH).getBytes(StandardCharsets.UTF_8));

        assertThat(filter.allowed(basic("ops:s3cret"))).isTrue();
        assertThat(filter.allowed(basic("ops:s3cret").replace("Basic", "basic"))).isTrue();
        assertThat(filter.allowed(basic("ops:wrong"))).isFalse();
        assertThat(filter.allowed(basic("root:s3cret"))).isFalse();
        assertThat(filter.allowed(basic("ops:" + HASH))).as("the hash is not the password").isFalse();
        assertThat(filter.allowed(basic("ops"))).isFalse();
        assertThat(filter.allowed("Basic not-base64!")).isFalse();
        assertThat(filter.allowed("Bearer " + HASH)).isFalse();
        assertThat(filter.allowed(null)).isFalse();
    }
}
