package io.paystream.schemas;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic paired with the serdes of its key and value, so that a topic can never be read or written with the
 * wrong serde.
 *
 * @param name the topic name
 * @param keySerde serde of the record keys
 * @param valueSerde serde of the record values
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
    }

    /** The same topic under {@code prefix + name}, with the same serdes: a replay's shadow of it. */
    public Topic<K, V> prefixed(String prefix) {
        return prefix.isEmpty() ? this : new Topic<>(prefix + name, keySerde, valueSerde);
    }
}
