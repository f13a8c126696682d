package io.paystream.schemas;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/** Where Kafka's default partitioner puts a record with a string key. */
public final class Partitions {
    private Partitions() {
    }

    /** The partition of {@code key} among {@code partitions}: murmur2 of its UTF-8 bytes, made positive, modulo. */
    public static int of(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
