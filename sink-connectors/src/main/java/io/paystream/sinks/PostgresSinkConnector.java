package io.paystream.sinks;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * What PayStream's database-backed sinks share as connectors: their settings ({@link SinkConfig}'s, or more where a
 * subclass overrides {@link #config()}), validated at start and handed unchanged to every task. Each subclass names
 * its task. Configure them with
 * {@code value.converter=io.paystream.sinks.PayStreamAvroConverter} and
 * {@code consumer.override.isolation.level=read_committed}, so that only committed transactions are copied.
 */
public abstract class PostgresSinkConnector extends SinkConnector {
    private Map<String, String> properties;

    @Override
    public void start(Map<String, String> properties) {
        config().parse(properties); // throws ConfigException naming the setting
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
