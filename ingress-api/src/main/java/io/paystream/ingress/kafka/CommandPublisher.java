package io.paystream.ingress.kafka;

import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.paystream.schemas.Topic;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    /**
     * Threads that complete the acknowledgement futures, and so run what callers chain on them (resuming the HTTP
     * response, its access log line, metrics). The producer's callback runs on its single network thread: answering
     * there put every response of the ingress on that one thread, between the producer's own reads and writes
     * (about 0.4 ms of CPU per request; docs/performance.md).
     */
    private static final int COMPLETION_THREADS = 2;

    private final Producer<byte[], byte[]> producer;
    private final ThreadPoolExecutor senders;
    private final ExecutorService completions;
    private final MeterRegistry registry;
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
    private final Map<String, Counter> produced = new ConcurrentHashMap<>();
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
        this.completions = Executors.newFixedThreadPool(COMPLETION_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "command-acks");
            thread.setDaemon(true);
            return thread;
        });
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
            sample.stop(latencies.computeIfAbsent(topic.name() + "/" + outcome, ignored ->
                    Timer.builder("paystream.ingress.produce.latency")
                            .description("From handing a command to the producer until the broker acknowledged it "
                                    + "or failed")
                            .tag("topic", topic.name()).tag("outcome", outcome)
                            .publishPercentileHistogram()
                            .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                            .register(registry)));
            if (failure == null) {
                produced.computeIfAbsent(topic.name(), name -> Counter.builder("paystream.ingress.records.produced")
                        .description("Commands the broker acknowledged").tag("topic", name)
                        .register(registry)).increment();
            }
        });
    }

    /**
     * The topic's partition count, from the producer's metadata, which may have to be fetched first: asked on the
     * sender thread, never on a Jetty thread. Fails when the broker does not answer within {@code max.block.ms}.
     */
    public CompletableFuture<Integer> partitionCount(Topic<?, ?> topic) {
        CompletableFuture<Integer> count = new CompletableFuture<>();
        try {
            senders.execute(() -> {
                try {
                    count.complete(producer.partitionsFor(topic.name()).size());
                } catch (RuntimeException e) {
                    count.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            count.completeExceptionally(new PublisherOverloadedException(senders.getQueue().size()));
        }
        return count;
    }

    private void send(Topic<?, ?> topic, byte[] key, byte[] value, CompletableFuture<RecordMetadata> acknowledged) {
        try {
            var unused = producer.send(new ProducerRecord<>(topic.name(), key, value), (metadata, failure) -> complete(
                    acknowledged, metadata, failure));
        } catch (RuntimeException e) {
            // max.block.ms elapsed without metadata or buffer space: the broker is unreachable or overloaded.
            acknowledged.completeExceptionally(e);
        }
    }

    /** Completes {@code acknowledged} off the producer's network thread (inline only once stopping). */
    private void complete(CompletableFuture<RecordMetadata> acknowledged, RecordMetadata metadata,
            Exception failure) {
        Runnable completion = failure == null ? () -> acknowledged.complete(metadata)
                : () -> acknowledged.completeExceptionally(failure);
        try {
            completions.execute(completion);
        } catch (RejectedExecutionException e) {
            completion.run();
        }
    }

    @Override
    public void stop() {
        senders.shutdown();
        producer.close(closeTimeout);
        completions.shutdown();
    }

    /** Too many sends are already waiting: the broker is slow, so refuse instead of queueing without bound. */
    public static final class PublisherOverloadedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PublisherOverloadedException(int pending) {
            super(pending + " sends are already waiting for the broker");
        }
    }
}
