package io.paystream.sinks.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies Connect's own task and worker metrics (records read and sent, errors, dead-lettered records, failed tasks)
 * and the sink consumers' lag into {@link SinkMetrics}, so one scrape has both. Enable it in the worker's
 * configuration: {@code metric.reporters=...ConnectMetricsBridge} for Connect's metrics and
 * {@code consumer.metric.reporters=...ConnectMetricsBridge} for the task consumers' lag. Only the groups below are
 * copied; their tags (connector, task, client id, topic, partition) are bounded. Kafka's {@code *-total} metrics
 * become counters, the rest gauges, named {@code kafka_connect_<group>_<name>}.
 */
public final class ConnectMetricsBridge implements MetricsReporter {
    static final Set<String> GROUPS = Set.of("connector-task-metrics", "sink-task-metrics", "task-error-metrics",
            "connect-worker-metrics", "consumer-fetch-manager-metrics");

    private static final Logger LOG = LoggerFactory.getLogger(ConnectMetricsBridge.class);

    private final MeterRegistry registry = SinkMetrics.registry();
    private final Map<MetricName, Meter> meters = new ConcurrentHashMap<>();

    @Override
    public void configure(Map<String, ?> configs) {
        // Nothing to configure.
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
        metrics.forEach(this::metricChange);
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        MetricName name = metric.metricName();
        if (!GROUPS.contains(name.group()) || !metric.isMeasurable()) {
            return;
        }
        metricRemoval(metric);
        try {
            meters.put(name, register(name, metric));
        } catch (IllegalArgumentException e) {
            // A name Prometheus cannot hold next to an existing one (another type or tag set): skip it, never fail
            // the worker for a metric.
            LOG.warn("not copying Connect metric {}: {}", name, e.toString());
        }
    }

    private Meter register(MetricName name, KafkaMetric metric) {
        String meterName = ("kafka.connect." + name.group() + "." + name.name()).replace('-', '.');
        List<Tag> tags = new ArrayList<>();
        name.tags().forEach((key, value) -> tags.add(Tag.of(key.replace('-', '_'), value)));
        return name.name().endsWith("-total")
                ? FunctionCounter.builder(meterName.substring(0, meterName.length() - ".total".length()), metric,
                        ConnectMetricsBridge::value).description(name.description()).tags(tags).register(registry)
                : Gauge.builder(meterName, metric, ConnectMetricsBridge::value).description(name.description())
                        .tags(tags).register(registry);
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
        Meter meter = meters.remove(metric.metricName());
        if (meter != null) {
            registry.remove(meter);
        }
    }

    @Override
    public void close() {
        meters.values().forEach(registry::remove);
        meters.clear();
    }

    private static double value(KafkaMetric metric) {
        Object value = metric.metricValue();
        return value instanceof Number number ? number.doubleValue() : Double.NaN;
    }
}
