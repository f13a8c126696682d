package io.paystream.processor.health;

import com.codahale.metrics.health.HealthCheck;
import io.paystream.processor.kafka.ManagedKafkaStreams;
import java.util.Objects;
import org.apache.kafka.streams.KafkaStreams;

/** Healthy only while Kafka Streams is RUNNING or REBALANCING; any other state means no payments are processed. */
public final class KafkaStreamsHealthCheck extends HealthCheck {
    private final ManagedKafkaStreams streams;

    public KafkaStreamsHealthCheck(ManagedKafkaStreams streams) {
        this.streams = Objects.requireNonNull(streams, "streams");
    }

    @Override
    protected Result check() {
        KafkaStreams.State state = streams.state();
        if (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING) {
            return Result.healthy("kafka streams is %s", state);
        }
        return Result.unhealthy("kafka streams is %s", state == null ? "not started" : state);
    }
}
