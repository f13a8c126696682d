package io.paystream.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;
import org.junit.jupiter.api.Test;

/** The shipped config files parse and validate, and the production one takes its secrets only from the environment. */
class IngressConfigurationTest {
    private static IngressConfiguration load(String file, Map<String, String> environment) throws Exception {
        StringSubstitutor substitutor = new StringSubstitutor(environment);
        substitutor.setEnableSubstitutionInVariables(true);
        return new YamlConfigurationFactory<>(IngressConfiguration.class, Validators.newValidator(),
                Jackson.newObjectMapper(), "dw")
                .build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(), substitutor), file);
    }

    @Test
    void theLocalConfigHasTheDevAdminKey() throws Exception {
        IngressConfiguration configuration = load("config.yml", Map.of());

        assertThat(configuration.getApiKeys()).singleElement().satisfies(key -> {
            assertThat(key.getClientId()).isEqualTo("local-dev");
            assertThat(key.getKeySha256()).isEqualTo(io.paystream.web.auth.ApiKeyAuth.sha256Hex("local-dev-key"));
            assertThat(key.getScopes()).containsExactly("admin");
        });
        assertThat(configuration.getKafka()).containsEntry("bootstrap.servers", "127.0.0.1:9092");
        assertThat(configuration.getBodyLimitBytes()).isEqualTo(64 * 1024);
    }

    @Test
    void theProductionConfigRefusesToStartWithoutKeysFromTheEnvironment() {
        assertThatThrownBy(() -> load("config-production.yml", Map.of()))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("keySha256");
    }

    @Test
    void theProductionConfigTakesKeysFromTheEnvironment() throws Exception {
        String hash = io.paystream.web.auth.ApiKeyAuth.sha256Hex("a-real-secret");
        IngressConfiguration configuration = load("config-production.yml", Map.of(
                "PAYSTREAM_ADMIN_CLIENT_ID", "ops", "PAYSTREAM_ADMIN_KEY_SHA256", hash,
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092"));

        assertThat(configuration.getApiKeys()).singleElement()
                .satisfies(key -> assertThat(key.getKeySha256()).isEqualTo(hash));
        assertThat(configuration.getKafka()).containsEntry("bootstrap.servers", "kafka-1:9092");
    }
}
