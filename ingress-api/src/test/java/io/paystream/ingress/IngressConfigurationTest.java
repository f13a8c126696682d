package io.paystream.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.paystream.web.config.PayStreamConfiguration;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;
import org.junit.jupiter.api.Test;

/** The shipped config files parse and validate, and the production one takes its secrets only from the environment. */
class IngressConfigurationTest {
    private static final String PAYMENT_ID_SECRET = "kept-in-a-vault-0123456789abcdefghij";
    private static IngressConfiguration load(String file, Map<String, String> environment) throws Exception {
        StringSubstitutor substitutor = new StringSubstitutor(environment);
        substitutor.setEnableSubstitutionInVariables(true);
        return new YamlConfigurationFactory<>(IngressConfiguration.class, Validators.newValidator(),
                Jackson.newObjectMapper(), "dw")
                .build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(), substitutor), file);
    }

    @Test
    void theLocalConfigHasTheDevAdminKey() throws Exception {
        IngressConfiguration configuration = load("config.yml", Map.of("PAYSTREAM_PROFILE", "local"));

        assertThat(configuration.getApiKeys()).singleElement().satisfies(key -> {
            assertThat(key.getClientId()).isEqualTo("local-dev");
            assertThat(key.getKeySha256()).isEqualTo(io.paystream.web.auth.ApiKeyAuth.sha256Hex("local-dev-key"));
            assertThat(key.getScopes()).containsExactly("admin");
        });
        assertThat(configuration.getKafka()).containsEntry("bootstrap.servers", "127.0.0.1:9092");
        assertThat(configuration.getBodyLimitBytes()).isEqualTo(64 * 1024);
    }

    /** The key is in the README: an app that accepts it by default would hand admin to anyone who read it. */
    @Test
    void theLocalConfigRefusesThePublicKeyUnlessTheLocalProfileIsSetExplicitly() {
        assertThatThrownBy(() -> load("config.yml", Map.of()))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("keysFitProfile failed: apiKeys holds the public local-dev-key");
        assertThatThrownBy(() -> load("config.yml", Map.of("PAYSTREAM_PROFILE", "prod")))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("profile must be local or production");
    }

    /** Without the secret anyone could compute another client's next payment id; the local one is public. */
    @Test
    void theProductionConfigNeedsAPaymentIdSecretOfItsOwn() {
        Map<String, String> environment = new java.util.HashMap<>(Map.of("PAYSTREAM_ADMIN_CLIENT_ID", "ops",
                "PAYSTREAM_ADMIN_KEY_SHA256", io.paystream.web.auth.ApiKeyAuth.sha256Hex("a-real-secret"),
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092"));
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .isInstanceOf(ConfigurationValidationException.class).hasMessageContaining("paymentIdSecret");
        environment.put("PAYSTREAM_PAYMENT_ID_SECRET", "too-short");
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .hasMessageContaining("at least 32 characters");
        environment.put("PAYSTREAM_PAYMENT_ID_SECRET", IngressConfiguration.LOCAL_PAYMENT_ID_SECRET);
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .hasMessageContaining("paymentIdSecretFitsProfile failed");
    }

    /** Capture and void read payments with this key; the public one would let anyone who read the README read them. */
    @Test
    void theProductionConfigTakesNeitherNoQueryKeyNorThePublicOne() {
        Map<String, String> environment = new java.util.HashMap<>(Map.of("PAYSTREAM_ADMIN_CLIENT_ID", "ops",
                "PAYSTREAM_ADMIN_KEY_SHA256", io.paystream.web.auth.ApiKeyAuth.sha256Hex("a-real-secret"),
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092", "PAYSTREAM_PAYMENT_ID_SECRET", PAYMENT_ID_SECRET,
                "PAYSTREAM_QUERY_API_URL", "http://processor:8090"));
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .isInstanceOf(ConfigurationValidationException.class).hasMessageContaining("queryApi.key");
        environment.put("PAYSTREAM_QUERY_API_KEY", "local-dev-key");
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .hasMessageContaining("queryApiKeyFitsProfile failed");
        environment.put("PAYSTREAM_QUERY_API_KEY", PayStreamConfiguration.LOCAL_INGRESS_QUERY_KEY);
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .hasMessageContaining("queryApiKeyFitsProfile failed");
    }

    @Test
    void theProductionConfigRefusesThePublicKeyEvenFromTheEnvironment() {
        assertThatThrownBy(() -> load("config-production.yml", Map.of("PAYSTREAM_ADMIN_CLIENT_ID", "ops",
                "PAYSTREAM_ADMIN_KEY_SHA256", PayStreamConfiguration.LOCAL_DEV_KEY_SHA256,
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092", "PAYSTREAM_PROFILE", "local")))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("public local-dev-key");
    }

    @Test
    void theProductionConfigRefusesToStartWithoutKeysFromTheEnvironment() {
        assertThatThrownBy(() -> load("config-production.yml", Map.of()))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("keySha256");
    }

    /** The image binds the admin port to every interface: then the ingress starts only with its basic auth. */
    @Test
    void theProductionConfigOpensTheAdminPortBeyondLoopbackOnlyWithBasicAuth() throws Exception {
        Map<String, String> environment = new java.util.HashMap<>(Map.of("PAYSTREAM_ADMIN_CLIENT_ID", "ops",
                "PAYSTREAM_ADMIN_KEY_SHA256", io.paystream.web.auth.ApiKeyAuth.sha256Hex("a-real-secret"),
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092", "PAYSTREAM_PAYMENT_ID_SECRET", PAYMENT_ID_SECRET,
                "PAYSTREAM_QUERY_API_URL", "http://processor:8090", "PAYSTREAM_QUERY_API_KEY", "a-query-secret",
                "PAYSTREAM_INGRESS_ADMIN_HOST", "0.0.0.0"));
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("adminPortClosedOrAuthenticated failed");
        environment.put("PAYSTREAM_ADMIN_AUTH_PASSWORD_SHA256",
                io.paystream.web.auth.ApiKeyAuth.sha256Hex("admin-port-secret"));
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .hasMessageContaining("adminAuth.complete failed");
        environment.put("PAYSTREAM_ADMIN_AUTH_USER", "operations");

        assertThat(load("config-production.yml", environment).getAdminAuth().isEnabled()).isTrue();
    }

    @Test
    void theProductionConfigTakesKeysFromTheEnvironment() throws Exception {
        String hash = io.paystream.web.auth.ApiKeyAuth.sha256Hex("a-real-secret");
        IngressConfiguration configuration = load("config-production.yml", Map.of(
                "PAYSTREAM_ADMIN_CLIENT_ID", "ops", "PAYSTREAM_ADMIN_KEY_SHA256", hash,
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092", "PAYSTREAM_PAYMENT_ID_SECRET", PAYMENT_ID_SECRET,
                "PAYSTREAM_QUERY_API_URL", "http://processor:8090", "PAYSTREAM_QUERY_API_KEY", "a-query-secret"));
        assertThat(configuration.getPaymentIdSecret()).isEqualTo(PAYMENT_ID_SECRET);
        assertThat(configuration.getQueryApi().getUrl()).isEqualTo("http://processor:8090");

        assertThat(configuration.getApiKeys()).singleElement()
                .satisfies(key -> assertThat(key.getKeySha256()).isEqualTo(hash));
        assertThat(configuration.getKafka()).containsEntry("bootstrap.servers", "kafka-1:9092")
                .as("no Kafka authentication unless asked for, and never a null value").containsEntry(
                        "security.protocol", "PLAINTEXT").containsEntry("sasl.jaas.config", "");
    }
}
