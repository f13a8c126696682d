package io.paystream.ingress.kafka;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The {@code producer:} block: how long a request may wait for the broker before the answer is 503. Builds the
 * idempotent, {@code acks=all} producer behind the {@link CommandPublisher}.
 */
public class ProducerFactory {
    /** A few seconds: long enough to ride out a leader election, short enough that clients retry promptly. */
    @NotNull
    @MinDuration(value = 500, unit = TimeUnit.MILLISECONDS)
    private Duration produceTimeout = Duration.seconds(5);

    /** Bounds the sends queued behind a blocked producer, so a dead broker cannot eat the heap. */
    @Min(1)
    @Max(100_000)
    private int pendingSendsMax = 1_000;

    /** Builds the publisher from the YAML's Kafka client properties; PayStream's durability settings win. */
    public CommandPublisher build(Map<String, String> kafka, MeterRegistry registry) {
        long timeoutMs = produceTimeout.toMilliseconds();
        Map<String, Object> properties = new HashMap<>(kafka);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // A record the broker has not acknowledged within the produce timeout fails, and the client gets 503.
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, timeoutMs - 10));
        // Waiting for metadata counts against the same budget.
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
                new ByteArraySerializer());
        return new CommandPublisher(producer, pendingSendsMax, registry, java.time.Duration.ofMillis(timeoutMs));
    }

    @JsonProperty
    public Duration getProduceTimeout() {
        return produceTimeout;
    }

    @JsonProperty
    public void setProduceTimeout(Duration produceTimeout) {
        this.produceTimeout = produceTimeout;
    }

    @JsonProperty
    public int getPendingSendsMax() {
        return pendingSendsMax;
    }

    @JsonProperty
    public void setPendingSendsMax(int pendingSendsMax) {
        this.pendingSendsMax = pendingSendsMax;
    }
}
