package io.paystream.sinks.acquirer;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Charges card top-ups at the acquirer (issue 16): reads {@code acquirer.requests.v1}, writes each answer to
 * {@code acquirer.results.v1}. Configure it with {@code value.converter.record=acquirer-request},
 * {@code consumer.override.isolation.level=read_committed}, {@code paystream.acquirer.url} and
 * {@code paystream.kafka.bootstrap.servers}. See {@link AcquirerSinkTask}.
 */
public final class AcquirerSinkConnector extends SinkConnector {
    private Map<String, String> properties;

    @Override
    public void start(Map<String, String> properties) {
        AcquirerConfig.DEFINITION.parse(properties);
        this.properties = Map.copyOf(properties);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return AcquirerSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return Collections.nCopies(maxTasks, properties);
    }

    @Override
    public void stop() {
        // Tasks own their clients.
    }

    @Override
    public ConfigDef config() {
        return AcquirerConfig.DEFINITION;
    }

    @Override
    public String version() {
        return "0.1.0";
    }
}
