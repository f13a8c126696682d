package io.paystream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StackLayoutTest {
    private static StackLayout layout(Map<String, String> environment) {
        return StackLayout.fromEnvironment(environment::get);
    }

    @Test
    void oneBrokerAndOneProcessorByDefault() {
        StackLayout layout = layout(Map.of("PAYSTREAM_ROOT", "/repo"));

        assertThat(layout.brokers()).containsExactly(new StackLayout.BrokerPorts(9092, 9093));
        assertThat(layout.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(layout.home().toString()).isEqualTo("/repo/.paystream");
        assertThat(layout.kafkaDir(0).toString()).isEqualTo("/repo/.paystream/kafka");
        assertThat(layout.processors()).isEqualTo(1);
        assertThat(layout.replicationFactor()).isEqualTo(1);
        assertThat(layout.ports()).hasSize(10);
    }

    @Test
    void aClusterHasThreeBrokersTwoProcessorsAndItsOwnHome() {
        StackLayout layout = layout(Map.of("PAYSTREAM_ROOT", "/repo", "PAYSTREAM_BROKERS", "3"));

        assertThat(layout.brokers()).containsExactly(new StackLayout.BrokerPorts(9092, 9093),
                new StackLayout.BrokerPorts(9192, 9193), new StackLayout.BrokerPorts(9292, 9293));
        assertThat(layout.bootstrapServers()).isEqualTo("127.0.0.1:9092,127.0.0.1:9192,127.0.0.1:9292");
        assertThat(layout.home().toString()).isEqualTo("/repo/.paystream-cluster");
        assertThat(layout.kafkaDir(2).toString()).isEqualTo("/repo/.paystream-cluster/kafka/node-3");
        assertThat(layout.processors()).isEqualTo(2);
        assertThat(layout.processorPort(1)).isEqualTo(8092);
        assertThat(layout.processorAdminPort(1)).isEqualTo(8093);
        assertThat(layout.replicationFactor()).isEqualTo(3);
        assertThat(layout.ports().values()).doesNotHaveDuplicates().hasSize(6 + 4 + 6);
    }

    @Test
    void aBadBrokerCountIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> layout(Map.of("PAYSTREAM_BROKERS", "0")))
                .hasMessageContaining("PAYSTREAM_BROKERS must be 1 to 5");
        assertThatThrownBy(() -> layout(Map.of("PAYSTREAM_BROKERS", "three")))
                .hasMessageContaining("PAYSTREAM_BROKERS must be 1 to 5, not 'three'");
        assertThatThrownBy(() -> layout(Map.of("PAYSTREAM_BROKERS", "3", "PAYSTREAM_KAFKA_PORT", "65400")))
                .hasMessageContaining("plus 100 per broker must stay below 65536 for 3 brokers");
    }
}
