package io.paystream.queries.deadletters;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the newest records of a dead-letter topic for operators: each with its error headers, its key and a preview
 * of its value. A consumer without a group is made per read (no offsets are committed, nothing is consumed for
 * anyone else), reads each partition's last records, and is closed; every step is bounded by the timeout.
 */
public final class DeadLetterReader {
    /** The dead-letter topics an operator may read: the processor's, the webhook sink's and Kafka Connect's. */
    public static final Set<String> TOPICS = Set.of("payments.dlq.v1", "webhooks.dlq.v1", "paystream.sinks.dlq.v1");
    /** How much of a value is shown. */
    static final int PREVIEW_BYTES = 2_048;
    /** How much of a header is shown: a stack trace is cut here. */
    static final int HEADER_CHARS = 4_096;

    /**
     * One dead letter.
     *
     * @param key the key as text, or base64 when it is not UTF-8
     * @param value the first {@value #PREVIEW_BYTES} bytes of the value, likewise
     * @param valueEncoding utf-8 or base64
     */
    public record DeadLetter(String topic, int partition, long offset, String timestamp, String key, String value,
            String valueEncoding, int valueBytes, Map<String, String> headers) {
    }

    private final Map<String, String> kafka;
    private final Duration timeout;

    /** @param kafka client properties (bootstrap.servers and security), as the processor's other clients use */
    public DeadLetterReader(Map<String, String> kafka, Duration timeout) {
        this.kafka = Map.copyOf(kafka);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** The newest {@code limit} records of {@code topic}, newest first; empty when the topic does not exist. */
    public List<DeadLetter> newest(String topic, int limit) {
        Map<String, Object> properties = new HashMap<>(kafka);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "paystream-dead-letter-reader");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(limit, 1));
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return List.of();
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, timeout);
            Map<TopicPartition, Long> remaining = new HashMap<>();
            for (TopicPartition partition : partitions) {
                long from = Math.max(starts.get(partition), ends.get(partition) - limit);
                consumer.seek(partition, from);
                if (ends.get(partition) > from) {
                    remaining.put(partition, ends.get(partition));
                }
            }
            List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!remaining.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    read.add(record);
                }
                // Transaction markers take offsets too: a partition is done when its position reaches the end.
                remaining.keySet().removeIf(partition -> consumer.position(partition) >= remaining.get(partition));
            }
            return read.stream()
                    .sorted(Comparator.comparingLong((ConsumerRecord<byte[], byte[]> r) -> r.timestamp())
                            .thenComparingLong(ConsumerRecord::offset).reversed())
                    .limit(limit)
                    .map(DeadLetterReader::view)
                    .toList();
        }
    }

    private static DeadLetter view(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            String text = header.value() == null ? "" : text(header.value());
            headers.put(header.key(), text == null ? Base64.getEncoder().encodeToString(header.value())
                    : text.length() > HEADER_CHARS ? text.substring(0, HEADER_CHARS) + "…" : text);
        }
        byte[] value = record.value() == null ? new byte[0] : record.value();
        byte[] preview = value.length > PREVIEW_BYTES ? java.util.Arrays.copyOf(value, PREVIEW_BYTES) : value;
        String valueText = text(preview);
        String key = record.key() == null ? null : text(record.key());
        return new DeadLetter(record.topic(), record.partition(), record.offset(),
                Instant.ofEpochMilli(record.timestamp()).toString(),
                key != null || record.key() == null ? key : Base64.getEncoder().encodeToString(record.key()),
                valueText != null ? valueText : Base64.getEncoder().encodeToString(preview),
                valueText != null ? "utf-8" : "base64", value.length, headers);
    }

    /** The bytes as text when they are printable UTF-8 (Avro binary is not), else null. */
    private static String text(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                    return null;
                }
            }
            return text;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
