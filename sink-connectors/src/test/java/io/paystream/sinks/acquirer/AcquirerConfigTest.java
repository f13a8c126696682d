package io.paystream.sinks.acquirer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class AcquirerConfigTest {
    private static AcquirerConfig config(String url, String apiKey) {
        Map<String, String> properties = new HashMap<>();
        properties.put(AcquirerConfig.KAFKA_PREFIX + "bootstrap.servers", "127.0.0.1:9092");
        properties.put(AcquirerConfig.URL, url);
        if (apiKey != null) {
            properties.put(AcquirerConfig.API_KEY, apiKey);
        }
        return new AcquirerConfig(properties);
    }

    @Test
    void theLocalSimulatorOnLoopbackNeedsNeitherHttpsNorACredential() {
        assertThat(config("http://127.0.0.1:18095", null).apiKey()).isEmpty();
        assertThat(config("http://localhost:18095", null).url()).isEqualTo("http://localhost:18095");
    }

    @Test
    void anAcquirerOffThisMachineNeedsHttpsAndACredential() {
        assertThat(config("https://acquirer.example.com", "sk_live_1").apiKey()).isEqualTo("sk_live_1");
        assertThatThrownBy(() -> config("http://acquirer.example.com", "sk_live_1"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("https");
        assertThatThrownBy(() -> config("https://acquirer.example.com", null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("credential");
        assertThatThrownBy(() -> config("http://acquirer:8080", "sk")).isInstanceOf(ConfigException.class);
    }
}
