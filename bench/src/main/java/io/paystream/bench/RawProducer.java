package io.paystream.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The broker's raw write ceiling on this machine, in this run: an idempotent {@code acks=all} producer writing 200-byte
 * values to a 12-partition topic as fast as the broker acknowledges them, as the outside probe measured it. It is the
 * yardstick for the pipeline: each payment costs several such writes.
 */
final class RawProducer {
    static final String TOPIC = "bench.raw";
    static final int VALUE_BYTES = 200;
    static final int PARTITIONS = 12;

    private RawProducer() {
    }

    /** Writes {@code records} (or as many as fit in {@code limit}) and returns acknowledged records per second. */
    static double measure(String bootstrapServers, int records, Duration limit) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (!existing.contains(TOPIC)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
        }
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        byte[] value = new byte[VALUE_BYTES];
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + limit.toNanos();
        long start;
        long end;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            // Warm the connection and metadata so that the figure is the steady rate.
            producer.send(new ProducerRecord<>(TOPIC, value)).get(30, TimeUnit.SECONDS);
            start = System.nanoTime();
            for (int i = 0; i < records && System.nanoTime() < deadline; i++) {
                var unused = producer.send(new ProducerRecord<>(TOPIC, value), (metadata, exception) -> {
                    if (exception != null) {
                        failure.compareAndSet(null, exception);
                    } else {
                        acknowledged.incrementAndGet();
                    }
                });
            }
            producer.flush();
            end = System.nanoTime();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the raw producer's writes failed", failure.get());
        }
        return acknowledged.get() / ((end - start) / 1e9);
    }
}
