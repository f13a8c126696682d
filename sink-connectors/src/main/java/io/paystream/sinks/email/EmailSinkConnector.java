package io.paystream.sinks.email;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Emails account holders their notifications (issue 16). Configure it with {@code topics=payments.notifications.v1},
 * {@code value.converter=io.paystream.sinks.PayStreamAvroConverter}, {@code value.converter.record=notification},
 * {@code consumer.override.isolation.level=read_committed}, the database, the SMTP server and the query API; see
 * {@link EmailConfig} and {@link EmailSinkTask}.
 */
public final class EmailSinkConnector extends SinkConnector {
    private Map<String, String> properties;

    @Override
    public void start(Map<String, String> properties) {
        new EmailConfig(properties);
        this.properties = Map.copyOf(properties);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return EmailSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return Collections.nCopies(maxTasks, properties);
    }

    @Override
    public void stop() {
        // Tasks own their resources.
    }

    @Override
    public ConfigDef config() {
        return EmailConfig.DEFINITION;
    }

    @Override
    public String version() {
        return "0.1.0";
    }
}
