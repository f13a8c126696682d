package io.paystream.sinks.webhooks;

import io.paystream.sinks.SinkConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The webhook sink's settings: the database (as {@link SinkConfig}), the Kafka clients it needs beyond Connect's own
 * consumer (the endpoint registrations and the dead-letter topic), and how it delivers.
 */
public final class WebhookConfig extends AbstractConfig {
    /** Every setting under this prefix goes, without it, to the task's own Kafka clients. */
    public static final String KAFKA_PREFIX = "paystream.kafka.";
    public static final String RETRY_DELAYS = "paystream.webhooks.retry.delays";
    public static final String REQUEST_TIMEOUT_MS = "paystream.webhooks.request.timeout.ms";
    public static final String ALLOW_LOOPBACK = "paystream.webhooks.allow.loopback";
    public static final String MAX_IN_FLIGHT = "paystream.webhooks.max.in.flight";
    public static final String MAX_IN_FLIGHT_PER_ENDPOINT = "paystream.webhooks.max.in.flight.per.endpoint";
    public static final String POLL_INTERVAL_MS = "paystream.webhooks.poll.interval.ms";
    public static final String RETENTION_MS = "paystream.webhooks.retention.ms";
    /** Set by the connector for each task: names the task's leases. */
    static final String TASK_INDEX = "paystream.webhooks.task.index";

    public static final ConfigDef DEFINITION = new ConfigDef(SinkConfig.DEFINITION)
            .define(KAFKA_PREFIX + "bootstrap.servers", ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    new ConfigDef.NonEmptyString(), ConfigDef.Importance.HIGH, "The brokers, for the task's own "
                            + "clients; other client settings (security) go under the same prefix.")
            .define(RETRY_DELAYS, ConfigDef.Type.STRING, RetrySchedule.DEFAULT, (name, value) -> {
                try {
                    RetrySchedule.parse(String.valueOf(value));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, value, e.getMessage());
                }
            }, ConfigDef.Importance.MEDIUM, "Waits between attempts, comma-separated (10s,1m,...): one more attempt "
                    + "than delays; then the event is dead-lettered and the endpoint disabled.")
            .define(REQUEST_TIMEOUT_MS, ConfigDef.Type.LONG, 10_000L, ConfigDef.Range.between(100, 60_000),
                    ConfigDef.Importance.MEDIUM, "How long one attempt may take, connection included.")
            .define(ALLOW_LOOPBACK, ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.MEDIUM,
                    "Deliver to loopback addresses: only for the local stack and tests.")
            .define(MAX_IN_FLIGHT, ConfigDef.Type.INT, 64, ConfigDef.Range.between(1, 1_024),
                    ConfigDef.Importance.LOW, "Attempts in flight per task, over every endpoint.")
            .define(MAX_IN_FLIGHT_PER_ENDPOINT, ConfigDef.Type.INT, 4, ConfigDef.Range.between(1, 64),
                    ConfigDef.Importance.LOW, "Attempts in flight to one endpoint, so that a slow one cannot take "
                            + "every slot.")
            .define(POLL_INTERVAL_MS, ConfigDef.Type.LONG, 250L, ConfigDef.Range.between(10, 10_000),
                    ConfigDef.Importance.LOW, "How often the dispatcher looks for due retries.")
            .define(RETENTION_MS, ConfigDef.Type.LONG, 30L * 24 * 60 * 60 * 1000, ConfigDef.Range.between(1_000,
                    10L * 366 * 24 * 60 * 60 * 1000), ConfigDef.Importance.MEDIUM, "How long an ended delivery and its "
                    + "attempts are kept, for the deliveries API, before they are deleted (30 days).")
            .define(TASK_INDEX, ConfigDef.Type.INT, 0, ConfigDef.Importance.LOW, "Set by the connector.");

    public WebhookConfig(Map<String, String> properties) {
        super(DEFINITION, properties);
    }

    /** The settings of the task's own Kafka clients. */
    public Map<String, Object> kafka() {
        return new HashMap<>(originalsWithPrefix(KAFKA_PREFIX));
    }

    public RetrySchedule retries() {
        return RetrySchedule.parse(getString(RETRY_DELAYS));
    }

    public Duration requestTimeout() {
        return Duration.ofMillis(getLong(REQUEST_TIMEOUT_MS));
    }

    /** How long an ended delivery is kept. */
    public Duration retention() {
        return Duration.ofMillis(getLong(RETENTION_MS));
    }

    public boolean allowLoopback() {
        return getBoolean(ALLOW_LOOPBACK);
    }

    public int maxInFlight() {
        return getInt(MAX_IN_FLIGHT);
    }

    public int maxInFlightPerEndpoint() {
        return getInt(MAX_IN_FLIGHT_PER_ENDPOINT);
    }

    public Duration pollInterval() {
        return Duration.ofMillis(getLong(POLL_INTERVAL_MS));
    }

    public int taskIndex() {
        return getInt(TASK_INDEX);
    }
}
