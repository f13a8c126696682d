package io.paystream.schemas.serde;

import java.io.IOException;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro class, using Avro single-object encoding (marker {@code C3 01}, the writer schema's
 * 8-byte CRC-64-AVRO fingerprint, then the binary body). The decoder knows every released version of the schema
 * ({@link SchemaHistory}), so records written by older producers still decode into the current class.
 *
 * <p>Null maps to null both ways (tombstones). Anything that fails to encode or decode becomes a Kafka
 * {@link SerializationException}, which Kafka Streams routes to its deserialization exception handler.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
    static {
        AvroTrust.install();
    }

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    /** Each thread's encoding buffer: one copy of the bytes per record, into the array Kafka gets. */
    private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

    /** A byte buffer that is reset and reused instead of reallocated for every record. */
    private static final class Buffer extends java.io.ByteArrayOutputStream {
        Buffer() {
            super(512);
        }
    }

    private AvroSerde(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        SpecificData model = SpecificData.getForClass(type);
        // The generated classes' own encode and decode methods (customEncode/customDecode), instead of Avro walking
        // the schema reflectively for every field of every record. Avro leaves them off unless asked; they read
        // older released versions through the same resolving decoder.
        model.setCustomCoders(true);
        Schema current = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, current);
        this.decoder = new BinaryMessageDecoder<>(model, current);
        for (Schema released : SchemaHistory.versionsOf(current.getName())) {
            decoder.addSchema(released);
        }
    }

    /** A serde for the given generated class. Instances are immutable and thread-safe. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            Buffer buffer = BUFFERS.get();
            buffer.reset();
            encoder.encode(data, buffer);
            return buffer.toByteArray();
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
            throw new SerializationException(
                    "cannot encode " + type.getSimpleName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return decoder.decode(data);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            throw new SerializationException(
                    "cannot decode " + type.getSimpleName() + " from topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // Nothing to configure: the schema comes from the generated class and the history from the classpath.
    }

    @Override
    public void close() {
        // Stateless: the serde is shared by every topic and thread, so there is nothing per-use to release.
    }

    @Override
    public String toString() {
        return "AvroSerde[" + type.getSimpleName() + "]";
    }
}
