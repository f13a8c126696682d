package io.paystream.sinks.acquirer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** The acquirer connector's settings: where the acquirer is, how long a charge may take, and its own producer. */
public final class AcquirerConfig extends AbstractConfig {
    /** Every setting under this prefix goes, without it, to the task's producer of results. */
    public static final String KAFKA_PREFIX = "paystream.kafka.";
    public static final String URL = "paystream.acquirer.url";
    public static final String TIMEOUT_MS = "paystream.acquirer.timeout.ms";
    public static final String ATTEMPTS = "paystream.acquirer.attempts";
    public static final String BACKOFF_MS = "paystream.acquirer.retry.backoff.ms";
    public static final String API_KEY = "paystream.acquirer.api.key";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(KAFKA_PREFIX + "bootstrap.servers", ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    new ConfigDef.NonEmptyString(), ConfigDef.Importance.HIGH, "The brokers, for the results "
                            + "producer; other client settings (security) go under the same prefix.")
            .define(URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
                if (value == null || !String.valueOf(value).matches("https?://[^/]+")) {
                    throw new ConfigException(name, value, "must be http(s)://host:port, without a path");
                }
            }, ConfigDef.Importance.HIGH, "The acquirer's API.")
            .define(TIMEOUT_MS, ConfigDef.Type.LONG, 5_000L, ConfigDef.Range.between(100, 120_000),
                    ConfigDef.Importance.MEDIUM, "How long one charge request may take.")
            .define(ATTEMPTS, ConfigDef.Type.INT, 4, ConfigDef.Range.between(1, 100), ConfigDef.Importance.MEDIUM,
                    "Attempts per charge within one batch, all with the same idempotency key; then the batch is "
                            + "handed back to Connect and tried again later.")
            .define(BACKOFF_MS, ConfigDef.Type.LONG, 500L, ConfigDef.Range.between(10, 60_000),
                    ConfigDef.Importance.LOW, "Pause before a charge is tried again.")
            .define(API_KEY, ConfigDef.Type.PASSWORD, "", ConfigDef.Importance.HIGH, "The credential PayStream "
                    + "presents to the acquirer (Authorization: Bearer). Required, with an https URL, for any "
                    + "acquirer that is not on this machine's loopback (the local simulator).");

    /**
     * @throws ConfigException when the acquirer is not on loopback (the local simulator) and is not reached over
     *     https with a credential: card charges would travel in clear, or be made by anyone who can reach it
     */
    public AcquirerConfig(Map<String, String> properties) {
        super(DEFINITION, properties);
        java.net.URI uri = java.net.URI.create(url());
        if (!isLoopback(uri.getHost())) {
            if (!"https".equals(uri.getScheme())) {
                throw new ConfigException(URL, url(), "an acquirer off this machine must be reached over https");
            }
            if (getPassword(API_KEY).value().isEmpty()) {
                throw new ConfigException(API_KEY, "(empty)", "an acquirer off this machine needs a credential");
            }
        }
    }

    private static boolean isLoopback(String host) {
        return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
    }

    /** The credential for the acquirer, or empty for the local simulator. */
    public String apiKey() {
        return getPassword(API_KEY).value();
    }

    public Map<String, Object> kafka() {
        return new HashMap<>(originalsWithPrefix(KAFKA_PREFIX));
    }

    public String url() {
        return getString(URL);
    }

    public Duration timeout() {
        return Duration.ofMillis(getLong(TIMEOUT_MS));
    }

    public int attempts() {
        return getInt(ATTEMPTS);
    }

    public long backoffMs() {
        return getLong(BACKOFF_MS);
    }
}
