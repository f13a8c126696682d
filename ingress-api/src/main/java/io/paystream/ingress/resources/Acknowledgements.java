package io.paystream.ingress.resources;

import io.paystream.ingress.api.Accepted;
import io.paystream.web.errors.ApiException;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a suspended request from the broker's acknowledgement: 202 once the write is acknowledged, 503 with
 * {@code Retry-After} when it failed or did not arrive within the bound. The Jetty thread is never held while waiting.
 */
final class Acknowledgements {
    private static final Logger LOG = LoggerFactory.getLogger(Acknowledgements.class);
    /** Long enough for a broker to recover from a leader election; clients retry with the same Idempotency-Key. */
    private static final long RETRY_AFTER_SECONDS = 2;
    /** Slack past the producer's own timeout, so the producer's failure, with its cause, usually answers first. */
    private static final Duration SLACK = Duration.ofSeconds(1);

    private final Duration timeout;

    Acknowledgements(Duration produceTimeout) {
        this.timeout = Objects.requireNonNull(produceTimeout, "produceTimeout").plus(SLACK);
    }

    void answer(AsyncResponse async, CompletableFuture<RecordMetadata> acknowledged, Accepted accepted) {
        answer(async, acknowledged, metadata -> {
            // One line per accepted command: it ties the id a client holds to the trace (trace_id in the MDC
            // when the agent is attached) and to the record's place in Kafka. Never the body: no amounts or
            // references in logs.
            LOG.info("accepted {} {} at {}-{}@{}", accepted.paymentId() != null ? "payment" : "account",
                    accepted.paymentId() != null ? accepted.paymentId() : accepted.accountId(), metadata.topic(),
                    metadata.partition(), metadata.offset());
            return Response.accepted(accepted).type(MediaType.APPLICATION_JSON_TYPE).build();
        });
    }

    /** Answers with {@code onAcknowledged}'s response once Kafka acknowledged the write (or writes), or 503. */
    <T> void answer(AsyncResponse async, CompletableFuture<T> acknowledged, Function<T, Response> onAcknowledged) {
        async.setTimeoutHandler(timedOut -> timedOut.resume(unavailable()));
        async.setTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        var unused = acknowledged.whenComplete((metadata, failure) -> {
            if (failure == null) {
                async.resume(onAcknowledged.apply(metadata));
            } else {
                LOG.warn("Kafka did not acknowledge a command; answering 503: {}", failure.toString());
                async.resume(unavailable());
            }
        });
    }

    private static ApiException unavailable() {
        return ApiException.unavailable("kafka_unavailable",
                "the request was not accepted because Kafka did not acknowledge it; retry with the same "
                        + "Idempotency-Key", RETRY_AFTER_SECONDS);
    }
}
