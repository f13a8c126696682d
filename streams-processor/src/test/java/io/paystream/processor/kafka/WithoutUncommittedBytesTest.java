package io.paystream.processor.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

class WithoutUncommittedBytesTest {
    @Test
    void hidesOnlyTheGaugeThatReadsTheNativeWriteBatch() {
        try (Metrics metrics = new Metrics()) {
            Map<String, String> store = Map.of("thread-id", "t-1", "task-id", "0_1", "rocksdb-state-id", "accounts");
            MetricName unsafe = metrics.metricName("uncommitted-bytes", "stream-state-metrics", "", store);
            MetricName sibling = metrics.metricName("put-rate", "stream-state-metrics", "", store);
            MetricName thread = metrics.metricName("process-total", "stream-thread-metrics", "",
                    Map.of("thread-id", "t-1"));
            metrics.addMetric(unsafe, (Gauge<Long>) (config, now) -> {
                throw new AssertionError("the hidden gauge was read");
            });
            metrics.addMetric(sibling, (Gauge<Double>) (config, now) -> 1.0);
            metrics.addMetric(thread, (Gauge<Double>) (config, now) -> 2.0);

            Map<MetricName, Metric> safe = ManagedKafkaStreams.WithoutUncommittedBytes.safe(metrics.metrics());

            assertThat(safe).doesNotContainKey(unsafe).containsKeys(sibling, thread);
            assertThat(safe).hasSize(metrics.metrics().size() - 1);
            safe.values().forEach(Metric::metricValue);
        }
    }
}
