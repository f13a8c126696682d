package io.paystream.sinks;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * What both PayStream sinks share as connectors: the {@link SinkConfig} settings, validated at start, handed unchanged
 * to every task. Each subclass names only its task. Configure them with
 * {@code value.converter=io.paystream.sinks.PayStreamAvroConverter} and
 * {@code consumer.override.isolation.level=read_committed}, so that only committed transactions are copied.
 */
abstract class PostgresSinkConnector extends SinkConnector {
    private Map<String, String> properties;

    @Override
    public void start(Map<String, String> properties) {
        new SinkConfig(properties);
        this.properties = Map.copyOf(properties);
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return Collections.nCopies(maxTasks, properties);
    }

    @Override
    public void stop() {
        // No resources: tasks own their database access.
    }

    @Override
    public ConfigDef config() {
        return SinkConfig.DEFINITION;
    }

    @Override
    public String version() {
        return "0.1.0";
    }
}
