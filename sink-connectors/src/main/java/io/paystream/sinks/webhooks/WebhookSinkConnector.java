package io.paystream.sinks.webhooks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Delivers {@code payments.notifications.v1} as signed webhooks (issue 16). Configure it with
 * {@code topics=payments.notifications.v1}, {@code value.converter=io.paystream.sinks.PayStreamAvroConverter},
 * {@code value.converter.record=notification}, {@code consumer.override.isolation.level=read_committed}, the database
 * ({@code paystream.jdbc.*}) and {@code paystream.kafka.bootstrap.servers}. See {@link WebhookSinkTask}.
 */
public final class WebhookSinkConnector extends SinkConnector {
    private Map<String, String> properties;

    @Override
    public void start(Map<String, String> properties) {
        new WebhookConfig(properties);
        this.properties = Map.copyOf(properties);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return WebhookSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int index = 0; index < maxTasks; index++) {
            Map<String, String> config = new HashMap<>(properties);
            config.put(WebhookConfig.TASK_INDEX, Integer.toString(index));
            configs.add(config);
        }
        return configs;
    }

    @Override
    public void stop() {
        // Tasks own their clients and threads.
    }

    @Override
    public ConfigDef config() {
        return WebhookConfig.DEFINITION;
    }

    @Override
    public String version() {
        return "0.1.0";
    }
}
