package io.paystream.sinks.email;

import io.paystream.sinks.SinkConfig;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The email sink's settings: the database (its send log, as {@link SinkConfig}), the SMTP server, and the query API it
 * asks for each account's address.
 */
public final class EmailConfig extends AbstractConfig {
    public static final String SMTP_HOST = "paystream.smtp.host";
    public static final String SMTP_PORT = "paystream.smtp.port";
    public static final String SMTP_FROM = "paystream.smtp.from";
    public static final String SMTP_USERNAME = "paystream.smtp.username";
    public static final String SMTP_PASSWORD = "paystream.smtp.password";
    public static final String SMTP_STARTTLS = "paystream.smtp.starttls";
    public static final String QUERY_API_URL = "paystream.query.api.url";
    public static final String QUERY_API_KEY = "paystream.query.api.key";
    public static final String RETRY_BACKOFF_MS = "paystream.email.retry.backoff.ms";
    public static final String REJECTIONS_PER_ACCOUNT_PER_HOUR = "paystream.email.rejections.per.account.per.hour";
    public static final String REJECTIONS_PER_ADDRESS_PER_HOUR = "paystream.email.rejections.per.address.per.hour";
    public static final String RETENTION_MS = "paystream.email.retention.ms";

    public static final ConfigDef DEFINITION = new ConfigDef(SinkConfig.DEFINITION)
            .define(SMTP_HOST, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    ConfigDef.Importance.HIGH, "The SMTP server.")
            .define(SMTP_PORT, ConfigDef.Type.INT, 25, ConfigDef.Range.between(1, 65_535),
                    ConfigDef.Importance.HIGH, "Its port.")
            .define(SMTP_FROM, ConfigDef.Type.STRING, "PayStream <notifications@paystream.local>",
                    new ConfigDef.NonEmptyString(), ConfigDef.Importance.MEDIUM, "The From header.")
            .define(SMTP_USERNAME, ConfigDef.Type.STRING, "", ConfigDef.Importance.MEDIUM,
                    "SMTP user; empty for none.")
            .define(SMTP_PASSWORD, ConfigDef.Type.PASSWORD, "", ConfigDef.Importance.MEDIUM, "SMTP password.")
            .define(SMTP_STARTTLS, ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.MEDIUM,
                    "Require STARTTLS (production SMTP servers want it).")
            .define(QUERY_API_URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
                if (value == null || !String.valueOf(value).matches("https?://[^/]+")) {
                    throw new ConfigException(name, value, "must be http(s)://host:port, without a path");
                }
            }, ConfigDef.Importance.HIGH, "A processor's query API, where each account's address is read.")
            .define(QUERY_API_KEY, ConfigDef.Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "An admin key of the query API.")
            .define(RETRY_BACKOFF_MS, ConfigDef.Type.LONG, 5_000L, ConfigDef.Range.between(10, 600_000),
                    ConfigDef.Importance.LOW, "Pause before a batch is tried again after the SMTP server or the "
                            + "query API failed.")
            .define(REJECTIONS_PER_ACCOUNT_PER_HOUR, ConfigDef.Type.INT, 5, ConfigDef.Range.between(0, 10_000),
                    ConfigDef.Importance.MEDIUM, "At most this many rejection emails to one account in an hour; the "
                            + "rest are counted (outcome throttled) and not sent.")
            .define(RETENTION_MS, ConfigDef.Type.LONG, 30L * 24 * 60 * 60 * 1000, ConfigDef.Range.between(
                    60L * 60 * 1000, 10L * 366 * 24 * 60 * 60 * 1000), ConfigDef.Importance.MEDIUM, "How long the send "
                    + "log keeps each email (at least the throttle's hour); a notification replayed after that would be "
                    + "emailed again (30 days).")
            .define(REJECTIONS_PER_ADDRESS_PER_HOUR, ConfigDef.Type.INT, 20, ConfigDef.Range.between(0, 10_000),
                    ConfigDef.Importance.MEDIUM, "At most this many rejection emails to one address in an hour, "
                            + "across every account that names it.");

    public EmailConfig(Map<String, String> properties) {
        super(DEFINITION, properties);
    }

    public String smtpHost() {
        return getString(SMTP_HOST);
    }

    public int smtpPort() {
        return getInt(SMTP_PORT);
    }

    public String from() {
        return getString(SMTP_FROM);
    }

    public String username() {
        return getString(SMTP_USERNAME);
    }

    public Password password() {
        return getPassword(SMTP_PASSWORD);
    }

    public boolean startTls() {
        return getBoolean(SMTP_STARTTLS);
    }

    public String queryApiUrl() {
        return getString(QUERY_API_URL);
    }

    public Password queryApiKey() {
        return getPassword(QUERY_API_KEY);
    }

    public long retryBackoffMs() {
        return getLong(RETRY_BACKOFF_MS);
    }

    /** How long the send log keeps an email. */
    public java.time.Duration retention() {
        return java.time.Duration.ofMillis(getLong(RETENTION_MS));
    }

    /** The most rejection emails one account is sent in an hour. */
    public int rejectionsPerAccountPerHour() {
        return getInt(REJECTIONS_PER_ACCOUNT_PER_HOUR);
    }

    /** The most rejection emails one address is sent in an hour. */
    public int rejectionsPerAddressPerHour() {
        return getInt(REJECTIONS_PER_ADDRESS_PER_HOUR);
    }
}
