package io.paystream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.paystream.web.auth.ApiKeyAuth;
import io.paystream.web.config.PayStreamConfiguration;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;
import org.junit.jupiter.api.Test;

/** The processor's shipped configs: the local one takes the public key only when told so, the production one never. */
class ProcessorConfigurationTest {
    private static final Map<String, String> PRODUCTION_ENVIRONMENT = Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092",
            "PAYSTREAM_APPLICATION_SERVER", "processor-0.processor:8090",
            "PAYSTREAM_ADMIN_CLIENT_ID", "ops",
            "PAYSTREAM_ADMIN_KEY_SHA256", ApiKeyAuth.sha256Hex("a-real-secret"),
            "PAYSTREAM_INGRESS_QUERY_KEY_SHA256", ApiKeyAuth.sha256Hex("the-ingress-secret"),
            "PAYSTREAM_CONNECT_QUERY_KEY_SHA256", ApiKeyAuth.sha256Hex("connect-secret"));

    private static ProcessorConfiguration load(String file, Map<String, String> environment) throws Exception {
        StringSubstitutor substitutor = new StringSubstitutor(environment);
        substitutor.setEnableSubstitutionInVariables(true);
        return new YamlConfigurationFactory<>(ProcessorConfiguration.class, Validators.newValidator(),
                Jackson.newObjectMapper(), "dw")
                .build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(), substitutor), file);
    }

    @Test
    void theLocalConfigTakesThePublicKeyOnlyInTheLocalProfile() throws Exception {
        assertThatThrownBy(() -> load("config.yml", Map.of()))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("keysFitProfile failed: apiKeys holds the public local-dev-key");

        ProcessorConfiguration local = load("config.yml", Map.of("PAYSTREAM_PROFILE", "local"));
        assertThat(local.getProfile()).isEqualTo(PayStreamConfiguration.LOCAL);
        assertThat(local.getApiKeys()).extracting(key -> key.getClientId() + " " + key.getScopes() + " "
                + key.getKeySha256()).containsExactly(
                        "local-dev [admin] " + PayStreamConfiguration.LOCAL_DEV_KEY_SHA256,
                        "ingress-service [service:read] "
                                + ApiKeyAuth.sha256Hex(PayStreamConfiguration.LOCAL_INGRESS_QUERY_KEY),
                        "connect-service [service:read] "
                                + ApiKeyAuth.sha256Hex(PayStreamConfiguration.LOCAL_CONNECT_QUERY_KEY));
    }

    @Test
    void theProductionConfigRefusesToStartWithoutAKeyFromTheEnvironment() {
        assertThatThrownBy(() -> load("config-production.yml", Map.of()))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("keySha256");
    }

    @Test
    void theProductionConfigNeverTakesThePublicKey() {
        Map<String, String> environment = new HashMap<>(PRODUCTION_ENVIRONMENT);
        environment.put("PAYSTREAM_ADMIN_KEY_SHA256", PayStreamConfiguration.LOCAL_DEV_KEY_SHA256);
        environment.put("PAYSTREAM_PROFILE", "local");
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("public local-dev-key");
    }

    @Test
    void theProductionConfigNeverTakesAPublicLocalServiceKey() {
        Map<String, String> environment = new HashMap<>(PRODUCTION_ENVIRONMENT);
        environment.put("PAYSTREAM_INGRESS_QUERY_KEY_SHA256",
                ApiKeyAuth.sha256Hex(PayStreamConfiguration.LOCAL_INGRESS_QUERY_KEY));
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .isInstanceOf(ConfigurationValidationException.class).hasMessageContaining("keysFitProfile failed");
    }

    @Test
    void theProductionConfigTakesEverythingFromTheEnvironmentAndReplicates() throws Exception {
        ProcessorConfiguration production = load("config-production.yml", PRODUCTION_ENVIRONMENT);

        assertThat(production.getProfile()).isEqualTo(PayStreamConfiguration.PRODUCTION);
        assertThat(production.getApiKeys()).extracting(key -> key.getKeySha256()).containsExactly(
                ApiKeyAuth.sha256Hex("a-real-secret"), ApiKeyAuth.sha256Hex("the-ingress-secret"),
                ApiKeyAuth.sha256Hex("connect-secret"));
        assertThat(production.getKafka()).containsEntry("bootstrap.servers", "kafka-1:9092,kafka-2:9092")
                .as("no Kafka authentication unless asked for, and never a null value").containsEntry(
                        "security.protocol", "PLAINTEXT").containsEntry("sasl.jaas.config", "");
        assertThat(production.getStreams().getApplicationServer()).isEqualTo("processor-0.processor:8090");
        assertThat(production.getStreams().getReplicationFactor()).isEqualTo((short) 3);
    }

    /** The image binds the admin port to every interface: then the processor starts only with its basic auth. */
    @Test
    void theProductionConfigOpensTheAdminPortBeyondLoopbackOnlyWithBasicAuth() throws Exception {
        Map<String, String> environment = new HashMap<>(PRODUCTION_ENVIRONMENT);
        environment.put("PAYSTREAM_PROCESSOR_ADMIN_HOST", "0.0.0.0");
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("adminPortClosedOrAuthenticated failed");
        environment.put("PAYSTREAM_ADMIN_AUTH_USER", "operations");
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .hasMessageContaining("adminAuth.complete failed");
        environment.put("PAYSTREAM_ADMIN_AUTH_PASSWORD_SHA256", "not-a-hash");
        assertThatThrownBy(() -> load("config-production.yml", environment))
                .hasMessageContaining("SHA-256 of the password");
        environment.put("PAYSTREAM_ADMIN_AUTH_PASSWORD_SHA256", ApiKeyAuth.sha256Hex("admin-port-secret"));

        assertThat(load("config-production.yml", environment).getAdminAuth().isEnabled()).isTrue();
        assertThat(load("config-production.yml", PRODUCTION_ENVIRONMENT).getAdminAuth().isEnabled())
                .as("on loopback, the default, the admin port may stay without").isFalse();
    }

    /** A minimal processor YAML with one API key owning {@code acme-}, and the given {@code directProducers} block. */
    private static ProcessorConfiguration withDirectProducers(String block) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("processor", ".yml");
        java.nio.file.Files.writeString(file, String.join("\n",
                "kafka: {bootstrap.servers: 'localhost:9092'}",
                "server: {adminConnectors: [{type: http, bindHost: 127.0.0.1, port: 0}]}",
                "apiKeys:",
                "  - {clientId: acme, keySha256: " + ApiKeyAuth.sha256Hex("k") + ", scopes: [accounts:read],"
                        + " ownedAccountPrefixes: [acme-]}",
                "directProducers:",
                block, ""));
        try {
            return load(file.toString(), Map.of());
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void directProducersGetTheirOwnTopicAndClient() throws Exception {
        ProcessorConfiguration configuration = withDirectProducers("""
                  - {clientId: acme, ownedAccountPrefixes: [acme-]}
                  - {clientId: globex, scopes: [payments:write, funds:write], ownedAccountPrefixes: [globex-]}\
                """);

        assertThat(configuration.getDirectProducers()).extracting(p -> p.topic().name())
                .containsExactly("payments.requests.acme.v1", "payments.requests.globex.v1");
        assertThat(configuration.getDirectProducers().get(0).toClient().scopes()).containsExactly("payments:write");
        assertThat(configuration.getDirectProducers().get(1).toClient().owns("globex-7")).isTrue();
    }

    @Test
    void aDirectProducerMayNotOwnAnotherClientsAccounts() {
        assertThatThrownBy(() -> withDirectProducers("  - {clientId: globex, ownedAccountPrefixes: [acme-eu-]}"))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("directProducerPrefixesDisjoint failed");
    }

    @Test
    void directProducersAreNamedOnceWithATopicSafeIdAndNoPrivilegeBeyondPayingAndFunding() {
        assertThatThrownBy(() -> withDirectProducers("""
                  - {clientId: globex, ownedAccountPrefixes: [globex-]}
                  - {clientId: globex, ownedAccountPrefixes: [globex-]}\
                """))
                .hasMessageContaining("directProducersDistinct failed");
        assertThatThrownBy(() -> withDirectProducers("  - {clientId: 'Globex.EU', ownedAccountPrefixes: [globex-]}"))
                .hasMessageContaining("clientId must be lower-case letters, digits and '-'");
        assertThatThrownBy(() -> withDirectProducers(
                "  - {clientId: globex, scopes: [credit:write], ownedAccountPrefixes: [globex-]}"))
                .hasMessageContaining("scopes of a direct producer must be among payments:write and funds:write");
        assertThatThrownBy(() -> withDirectProducers("  - {clientId: globex, ownedAccountPrefixes: [globex]}"))
                .hasMessageContaining("ownedAccountPrefixes must each start with a letter or digit");
    }
}
