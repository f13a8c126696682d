package io.paystream.webhooks;

import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.WebhookEndpoint;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every webhook endpoint, read from the compacted {@code webhooks.endpoints.v1} into memory: a table with one writer
 * per change and a handful of rows per client, so no database is needed. A background thread reads the topic from the
 * beginning and then follows it; {@link #awaitCaughtUp} waits until what was in the topic when it was called has been
 * read, which gives read-your-writes across processes.
 */
public final class EndpointRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointRegistry.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Map<String, WebhookEndpoint> endpoints = new ConcurrentHashMap<>();
    private final List<Consumer<EndpointChange>> listeners = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    /** Asks for end offsets; a KafkaConsumer is single-threaded, and {@link #consumer} belongs to the reader. */
    private final KafkaConsumer<byte[], byte[]> probe;
    /** Ids seen deleted: endpoint ids are never reused, so an older record read later must not bring one back. */
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final Thread reader;
    private final Object progress = new Object();
    /** Offsets read so far, by partition; guarded by {@link #progress}. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    /** A registration that changed: {@code endpoint} is null when it was deleted. */
    public record EndpointChange(String endpointId, WebhookEndpoint endpoint) {
    }

    /**
     * Starts reading.
     *
     * @param kafka client properties: at least {@code bootstrap.servers}, plus any security settings
     * @param clientId the consumer's client id, for quotas and logs
     */
    public EndpointRegistry(Map<String, ?> kafka, String clientId) {
        Properties properties = new Properties();
        properties.putAll(kafka);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG); // no group: every reader reads every partition
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-probe");
        this.probe = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.reader = new Thread(this::read, "webhook-endpoints-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Called, on the reader thread, for every registration read after this call (and for those written here). */
    public void onChange(Consumer<EndpointChange> listener) {
        listeners.add(listener);
    }

    public Optional<WebhookEndpoint> get(String endpointId) {
        return Optional.ofNullable(endpoints.get(endpointId));
    }

    public Collection<WebhookEndpoint> all() {
        return List.copyOf(endpoints.values());
    }

    /** How many webhook endpoints one client may have. */
    public static final int ENDPOINTS_PER_CLIENT_MAX = 16;

    /**
     * The endpoints that may receive events: each client's {@link #ENDPOINTS_PER_CLIENT_MAX} oldest (by creation
     * time, then id). The ingress refuses a registration past the cap, but two ingress instances registering for one
     * client at the same moment could each see room for one more; whatever got written, no client's events go to more
     * endpoints than the cap.
     */
    public static List<WebhookEndpoint> withinCap(Collection<WebhookEndpoint> endpoints) {
        Map<String, Integer> kept = new java.util.HashMap<>();
        return endpoints.stream()
                .sorted(java.util.Comparator.comparingLong(WebhookEndpoint::getCreatedAtMs)
                        .thenComparing(WebhookEndpoint::getEndpointId))
                .filter(endpoint -> kept.merge(endpoint.getClientId(), 1, Integer::sum) <= ENDPOINTS_PER_CLIENT_MAX)
                .toList();
    }

    /**
     * The {@code updatedAtMs} of a registration that replaces {@code endpoint} at {@code nowMs}: later than the one it
     * replaces even when clocks disagree, since a reader keeps whichever version has the later time.
     */
    public static long nextVersionAt(WebhookEndpoint endpoint, long nowMs) {
        return Math.max(nowMs, endpoint.getUpdatedAtMs() + 1);
    }

    /**
     * Records a registration this process just wrote and Kafka acknowledged, so that it is visible here at once; the
     * reader will read the same record again later.
     */
    public void applyWritten(String endpointId, WebhookEndpoint endpoint) {
        apply(endpointId, endpoint);
    }

    /**
     * Waits until every registration written before this call has been read.
     *
     * @return false when that did not happen within {@code timeout}
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        Map<TopicPartition, Long> ends;
        synchronized (probe) {
            checkHealthy();
            ends = probe.endOffsets(partitions(probe, timeout), timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (!reached(ends)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                checkHealthy();
                progress.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> end.getValue() == 0
                || positions.getOrDefault(end.getKey(), 0L) >= end.getValue());
    }

    private void checkHealthy() {
        if (failure != null) {
            throw new IllegalStateException("the webhook endpoint reader stopped", failure);
        }
    }

    private void read() {
        try {
            List<TopicPartition> partitions = List.of();
            while (partitions.isEmpty() && running) {
                try {
                    partitions = partitions(consumer, Duration.ofSeconds(5));
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    LOG.warn("cannot read the webhook endpoint topic's metadata yet; retrying: {}", e.getMessage());
                }
                if (partitions.isEmpty()) {
                    // The broker is not reachable yet, or the processor, which creates the topic, has not started.
                    Thread.sleep(1_000);
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                var records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    String id = Topics.WEBHOOK_ENDPOINTS.keySerde().deserializer().deserialize(record.topic(),
                            record.key());
                    WebhookEndpoint endpoint = record.value() == null ? null : Topics.WEBHOOK_ENDPOINTS.valueSerde()
                            .deserializer().deserialize(record.topic(), record.value());
                    apply(id, endpoint);
                }
                synchronized (progress) {
                    for (TopicPartition partition : partitions) {
                        positions.put(partition, consumer.position(partition));
                    }
                    progress.notifyAll();
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("the webhook endpoint reader stopped", e);
            failure = e;
            synchronized (progress) {
                progress.notifyAll();
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> client, Duration timeout) {
        return client.partitionsFor(Topics.WEBHOOK_ENDPOINTS.name(), timeout).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    }

    private void apply(String endpointId, WebhookEndpoint endpoint) {
        if (endpointId == null) {
            return;
        }
        if (endpoint == null) {
            deleted.add(endpointId);
            endpoints.remove(endpointId);
        } else if (deleted.contains(endpointId)) {
            return;
        } else {
            endpoints.merge(endpointId, endpoint, (old, fresh) -> fresh.getUpdatedAtMs() >= old.getUpdatedAtMs()
                    ? fresh : old);
        }
        EndpointChange change = new EndpointChange(endpointId, endpoints.get(endpointId));
        for (Consumer<EndpointChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("a listener failed on endpoint {}", endpointId, e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (probe) {
            probe.close(Duration.ofSeconds(5));
        }
    }
}
