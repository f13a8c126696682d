package io.paystream.processor.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.paystream.processor.metrics.PaymentMetrics;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsPropertiesTest {
    private static final StreamsProperties.Settings SETTINGS =
            new StreamsProperties.Settings("app", "/tmp/state", 250, 1, 2, (short) 3, "127.0.0.1:8090",
                    null);

    @Test
    void configuresExactlyOnceAndTheChosenSettings() {
        Properties properties = StreamsProperties.build(Map.of("bootstrap.servers", "b:9092"), SETTINGS,
                new PaymentMetrics(new SimpleMeterRegistry()));

        assertThat(properties.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(properties.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(250L);
        assertThat(properties.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
        assertThat(properties.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(2);
        assertThat(properties.get(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo(3);
        assertThat(properties.get(StreamsConfig.APPLICATION_SERVER_CONFIG)).isEqualTo("127.0.0.1:8090");
        assertThat(properties.get(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG)).isEqualTo(true);
        assertThat(properties.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG)).isEqualTo("payments.dlq.v1");
        assertThat(properties.get("bootstrap.servers")).isEqualTo("b:9092");
    }

    @Test
    void aNamedInstanceIsAStaticMemberAndAnUnnamedOneIsNot() {
        Properties named = StreamsProperties.build(Map.of("bootstrap.servers", "b:9092"),
                new StreamsProperties.Settings("app", "/tmp/state", 250, 1, 2, (short) 3, null, "processor-2"),
                new PaymentMetrics(new SimpleMeterRegistry()));
        assertThat(named.get("consumer.group.instance.id")).isEqualTo("processor-2");
        for (String blank : new String[] {null, "", " "}) {
            Properties unnamed = StreamsProperties.build(Map.of("bootstrap.servers", "b:9092"),
                    new StreamsProperties.Settings("app", "/tmp/state", 250, 1, 2, (short) 3, null, blank),
                    new PaymentMetrics(new SimpleMeterRegistry()));
            assertThat(unnamed).doesNotContainKey("consumer.group.instance.id");
        }
    }

    @Test
    void aConfigFileCannotWeakenTheProcessingGuarantee() {
        Properties properties = StreamsProperties.build(Map.of(
                "bootstrap.servers", "b:9092",
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE,
                "producer.acks", "1"), SETTINGS, new PaymentMetrics(new SimpleMeterRegistry()));

        assertThat(properties.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(properties.get("producer.acks")).isEqualTo("all");
    }

    @Test
    void theStreamsConfigAcceptsTheProperties() {
        Properties properties = StreamsProperties.build(Map.of("bootstrap.servers", "b:9092"), SETTINGS,
                new PaymentMetrics(new SimpleMeterRegistry()));

        assertThat(new StreamsConfig(properties).getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    }

    @Test
    void storesAreTransactionalAndQueriesReadOnlyCommittedState() {
        Properties properties = StreamsProperties.build(Map.of("bootstrap.servers", "b:9092",
                StreamsConfig.DEFAULT_INTERACTIVE_QUERY_ISOLATION_LEVEL_CONFIG, "READ_UNCOMMITTED"), SETTINGS,
                new PaymentMetrics(new SimpleMeterRegistry()));
        StreamsConfig config = new StreamsConfig(properties);

        assertThat(config.getBoolean(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG)).isTrue();
        assertThat(config.defaultInteractiveQueryIsolationLevel())
                .as("a config file cannot make queries read uncommitted writes").isEqualTo(IsolationLevel.READ_COMMITTED);
    }
}
