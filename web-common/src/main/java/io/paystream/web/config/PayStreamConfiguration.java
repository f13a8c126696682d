package io.paystream.web.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.paystream.web.auth.ApiKeyFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every PayStream app's YAML has: {@code kafka} (client properties passed to every Kafka client the app creates,
 * {@code bootstrap.servers} at least) and {@code apiKeys} (SHA-256 hashes only, with scopes and owned prefixes).
 */
public class PayStreamConfiguration extends Configuration {
    @NotEmpty
    private Map<String, String> kafka = new HashMap<>();

    @Valid
    @NotEmpty
    private List<ApiKeyFactory> apiKeys = new ArrayList<>();

    /** Lets the YAML use {@code ${VAR:-default}}: production takes secrets and addresses from the environment. */
    public static void substituteEnvironment(Bootstrap<?> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    }

    @JsonProperty
    public Map<String, String> getKafka() {
        return kafka;
    }

    @JsonProperty
    public void setKafka(Map<String, String> kafka) {
        this.kafka = kafka;
    }

    @JsonProperty
    public List<ApiKeyFactory> getApiKeys() {
        return apiKeys;
    }

    @JsonProperty
    public void setApiKeys(List<ApiKeyFactory> apiKeys) {
        this.apiKeys = apiKeys;
    }
}
