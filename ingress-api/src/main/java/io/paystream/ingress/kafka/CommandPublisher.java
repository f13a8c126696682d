package io.paystream.ingress.kafka;

import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.paystream.schemas.Topic;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes commands with one idempotent {@code acks=all} producer. {@code send} can block while metadata or buffer
 * space is missing (bounded by {@code max.block.ms}), so it runs on a small bounded executor and never on a Jetty
 * thread. The returned future completes when the broker acknowledged the write, or fails when it did not.
 */
public final class CommandPublisher implements Managed {
    /** One sender thread: KafkaProducer.send is cheap and thread-safe; the pool exists only to absorb blocking. */
    private static final int SENDER_THREADS = 1;

    private final Producer<byte[], byte[]> producer;
    private final ThreadPoolExecutor senders;
    private final MeterRegistry registry;
    private final Duration closeTimeout;

    /**
     * @param producer a producer configured with acks=all and idempotence
     * @param pendingSendsMax sends waiting for the sender thread before new ones are refused (503)
     * @param registry where produce latency and counts are recorded
     * @param closeTimeout how long to wait for in-flight records on shutdown
     */
    public CommandPublisher(Producer<byte[], byte[]> producer, int pendingSendsMax, MeterRegistry registry,
            Duration closeTimeout) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.senders = new ThreadPoolExecutor(SENDER_THREADS, SENDER_THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(pendingSendsMax), runnable -> {
                    Thread thread = new Thread(runnable, "command-publisher");
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Encodes and sends one record; the future completes once the broker acknowledged it. */
    public <K, V> CompletableFuture<RecordMetadata> publish(Topic<K, V> topic, K key, V value) {
        byte[] keyBytes = topic.keySerde().serializer().serialize(topic.name(), key);
        byte[] valueBytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        CompletableFuture<RecordMetadata> acknowledged = new CompletableFuture<>();
        Timer.Sample sample = Timer.start(registry);
        try {
            senders.execute(() -> send(topic, keyBytes, valueBytes, acknowledged));
        } catch (RejectedExecutionException e) {
            acknowledged.completeExceptionally(new PublisherOverloadedException(senders.getQueue().size()));
        }
        return acknowledged.whenComplete((metadata, failure) -> {
            String outcome = failure == null ? "acknowledged" : "failed";
            sample.stop(Timer.builder("paystream.ingress.produce.latency")
                    .description("From handing a command to the producer until the broker acknowledged it or failed")
                    .tag("topic", topic.name()).tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry));
            if (failure == null) {
                Counter.builder("paystream.ingress.records.produced")
                        .description("Commands the broker acknowledged").tag("topic", topic.name())
                        .register(registry).increment();
            }
        });
    }

    private void send(Topic<?, ?> topic, byte[] key, byte[] value, CompletableFuture<RecordMetadata> acknowledged) {
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, value), (metadata, failure) -> {
                if (failure == null) {
                    acknowledged.complete(metadata);
                } else {
                    acknowledged.completeExceptionally(failure);
                }
            });
        } catch (RuntimeException e) {
            // max.block.ms elapsed without metadata or buffer space: the broker is unreachable or overloaded.
            acknowledged.completeExceptionally(e);
        }
    }

    @Override
    public void stop() {
        senders.shutdown();
        producer.close(closeTimeout);
    }

    /** Too many sends are already waiting: the broker is slow, so refuse instead of queueing without bound. */
    public static final class PublisherOverloadedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PublisherOverloadedException(int pending) {
            super(pending + " sends are already waiting for the broker");
        }
    }
}
