package io.paystream.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.paystream.processor.kafka.StreamsFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.HashMap;
import java.util.Map;

/**
 * The processor's YAML: the server ports, {@code kafka} (client properties passed through to every Kafka client,
 * {@code bootstrap.servers} at least) and {@code streams} (how the topology runs).
 */
public class ProcessorConfiguration extends Configuration {
    @NotEmpty
    private Map<String, String> kafka = new HashMap<>();

    @Valid
    @NotNull
    private StreamsFactory streams = new StreamsFactory();

    @JsonProperty
    public Map<String, String> getKafka() {
        return kafka;
    }

    @JsonProperty
    public void setKafka(Map<String, String> kafka) {
        this.kafka = kafka;
    }

    @JsonProperty
    public StreamsFactory getStreams() {
        return streams;
    }

    @JsonProperty
    public void setStreams(StreamsFactory streams) {
        this.streams = streams;
    }
}
