package io.paystream.sinks;

import io.paystream.schemas.Topics;
import io.paystream.sinks.acquirer.AcquirerConfig;
import io.paystream.sinks.acquirer.AcquirerSinkConnector;
import io.paystream.sinks.webhooks.WebhookConfig;
import io.paystream.sinks.webhooks.WebhookSinkConnector;
import java.util.HashMap;
import java.util.Map;

/**
 * For the tests that run the sinks in a real worker: the connector configurations PayStream's sinks are meant to run
 * with: PayStream's converter for the topic's record
 * type and {@code read_committed} consumers, so that only committed transactions are copied. Callers add error
 * handling and override what they need (the worker must allow {@code consumer.override.*}).
 */
public final class SinkConnectorConfigs {
    private SinkConnectorConfigs() {
    }

    /** The journal sink: {@code payments.audit.v1} (the journal) into {@code ledger_entries}. */
    public static Map<String, String> ledger(String jdbcUrl) {
        return base(JournalSinkConnector.class.getName(), Topics.AUDIT.name(), "audit", jdbcUrl);
    }

    /** The payments sink: {@code payments.events.v1} into {@code payments}. */
    public static Map<String, String> payments(String jdbcUrl) {
        return base(PaymentEventSinkConnector.class.getName(), Topics.PAYMENT_EVENTS.name(), "payment-event", jdbcUrl);
    }

    /**
     * The webhook sink: {@code payments.notifications.v1} into signed deliveries, queued in the same database; its
     * task's own clients (endpoint registrations, dead letters) reach the brokers at {@code bootstrapServers}.
     */
    public static Map<String, String> webhooks(String jdbcUrl, String bootstrapServers) {
        Map<String, String> config = base(WebhookSinkConnector.class.getName(), Topics.NOTIFICATIONS.name(),
                "notification", jdbcUrl);
        config.put(WebhookConfig.KAFKA_PREFIX + "bootstrap.servers", bootstrapServers);
        return config;
    }

    /** The acquirer connector: {@code acquirer.requests.v1} charged at {@code acquirerUrl}, answers to the brokers. */
    public static Map<String, String> acquirer(String acquirerUrl, String bootstrapServers) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", AcquirerSinkConnector.class.getName());
        config.put("tasks.max", "1");
        config.put("topics", Topics.ACQUIRER_REQUESTS.name());
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", PayStreamAvroConverter.class.getName());
        config.put("value.converter.record", "acquirer-request");
        config.put("consumer.override.isolation.level", "read_committed");
        config.put(AcquirerConfig.URL, acquirerUrl);
        config.put(AcquirerConfig.KAFKA_PREFIX + "bootstrap.servers", bootstrapServers);
        return config;
    }

    private static Map<String, String> base(String connectorClass, String topic, String record, String jdbcUrl) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", connectorClass);
        config.put("tasks.max", "1");
        config.put("topics", topic);
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", PayStreamAvroConverter.class.getName());
        config.put("value.converter.record", record);
        config.put("consumer.override.isolation.level", "read_committed");
        config.put(SinkConfig.JDBC_URL, jdbcUrl);
        config.put(SinkConfig.JDBC_USER, "postgres");
        return config;
    }
}
