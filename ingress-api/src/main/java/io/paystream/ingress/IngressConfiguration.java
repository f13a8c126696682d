package io.paystream.ingress;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.paystream.ingress.kafka.ProducerFactory;
import io.paystream.web.config.PayStreamConfiguration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * The ingress YAML: server ports, {@code kafka} client properties, {@code producer} timeouts, {@code apiKeys} (hashes
 * only), {@code rateLimit} (in {@link PayStreamConfiguration}), and the request body limit.
 */
public class IngressConfiguration extends PayStreamConfiguration {
    /** DESIGN.md's limit: a payment is a few hundred bytes; 64 KiB leaves room for metadata and nothing else. */
    private static final int DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;


    @Valid
    @NotNull
    private ProducerFactory producer = new ProducerFactory();

    @Min(1_024)
    @Max(1_048_576)
    private int bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES;

    @JsonProperty
    public ProducerFactory getProducer() {
        return producer;
    }

    @JsonProperty
    public void setProducer(ProducerFactory producer) {
        this.producer = producer;
    }

    @JsonProperty
    public int getBodyLimitBytes() {
        return bodyLimitBytes;
    }

    @JsonProperty
    public void setBodyLimitBytes(int bodyLimitBytes) {
        this.bodyLimitBytes = bodyLimitBytes;
    }
}
