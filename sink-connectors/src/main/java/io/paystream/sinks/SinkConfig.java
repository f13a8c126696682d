package io.paystream.sinks;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The settings both PayStream sinks share: where PostgreSQL is, and how long a database outage may last before the
 * task fails. Validated by Connect before the connector starts, with the messages below.
 */
public final class SinkConfig extends AbstractConfig {
    public static final String JDBC_URL = "paystream.jdbc.url";
    public static final String JDBC_USER = "paystream.jdbc.user";
    public static final String JDBC_PASSWORD = "paystream.jdbc.password";
    public static final String RETRIES_MAX = "paystream.db.retries.max";
    public static final String RETRY_BACKOFF_MS = "paystream.db.retry.backoff.ms";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(JDBC_URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
                if (value == null || !value.toString().startsWith("jdbc:postgresql://")) {
                    throw new ConfigException(name, value, "must be a PostgreSQL JDBC URL (jdbc:postgresql://...)");
                }
            }, ConfigDef.Importance.HIGH, "JDBC URL of the PostgreSQL database the sink writes to.")
            .define(JDBC_USER, ConfigDef.Type.STRING, "postgres", new ConfigDef.NonEmptyString(),
                    ConfigDef.Importance.HIGH, "Database user.")
            .define(JDBC_PASSWORD, ConfigDef.Type.PASSWORD, "", ConfigDef.Importance.HIGH, "Database password.")
            // Ten retries one second apart ride out a database restart; a longer outage fails the task loudly.
            .define(RETRIES_MAX, ConfigDef.Type.INT, 10, ConfigDef.Range.between(0, 1_000),
                    ConfigDef.Importance.MEDIUM, "Retries of a failed batch before the task fails.")
            .define(RETRY_BACKOFF_MS, ConfigDef.Type.LONG, 1_000L, ConfigDef.Range.between(10, 60_000),
                    ConfigDef.Importance.MEDIUM, "Pause before each retry, in milliseconds.");

    public SinkConfig(Map<String, String> properties) {
        super(DEFINITION, properties);
    }

    public String jdbcUrl() {
        return getString(JDBC_URL);
    }

    public String user() {
        return getString(JDBC_USER);
    }

    public Password password() {
        return getPassword(JDBC_PASSWORD);
    }

    public int retriesMax() {
        return getInt(RETRIES_MAX);
    }

    public long retryBackoffMs() {
        return getLong(RETRY_BACKOFF_MS);
    }
}
