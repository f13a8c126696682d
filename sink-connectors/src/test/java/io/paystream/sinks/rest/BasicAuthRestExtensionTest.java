package io.paystream.sinks.rest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paystream.schemas.validation.BasicCredential;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class BasicAuthRestExtensionTest {
    private static final String HASH = BasicCredential.sha256Hex("s3cret");

    @Test
    void aWorkerWithoutACompleteCredentialDoesNotStart() {
        BasicAuthRestExtension extension = new BasicAuthRestExtension();
        assertThatThrownBy(() -> extension.configure(Map.of(BasicAuthRestExtension.PASSWORD_SHA256, HASH)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(BasicAuthRestExtension.USER);
        assertThatThrownBy(() -> extension.configure(Map.of(BasicAuthRestExtension.USER, "ops",
                BasicAuthRestExtension.PASSWORD_SHA256, "s3cret")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SHA-256");
    }
}
