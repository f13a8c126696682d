package io.paystream.sinks.email;

import io.paystream.sinks.PostgresSinkConnector;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;

/**
 * Emails account holders their notifications (issue 16). Configure it with {@code topics=payments.notifications.v1},
 * {@code value.converter=io.paystream.sinks.PayStreamAvroConverter}, {@code value.converter.record=notification},
 * {@code consumer.override.isolation.level=read_committed}, the database, the SMTP server and the query API; see
 * {@link EmailConfig} and {@link EmailSinkTask}.
 */
public final class EmailSinkConnector extends PostgresSinkConnector {
    @Override
    public Class<? extends Task> taskClass() {
        return EmailSinkTask.class;
    }

    @Override
    public ConfigDef config() {
        return EmailConfig.DEFINITION;
    }
}
