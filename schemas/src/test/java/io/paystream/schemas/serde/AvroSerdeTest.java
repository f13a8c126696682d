package io.paystream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private final AvroSerde<PaymentRequest> serde = AvroSerde.of(PaymentRequest.class);

    private static PaymentRequest aTransfer() {
        return PaymentRequest.newBuilder()
                .setPaymentId("4f6c2c55-9c1e-4b8e-8a53-1b1f1f7d1a10")
                .setType(PaymentType.TRANSFER)
                .setFrom("alice")
                .setTo("bob")
                .setAmount(1050)
                .setCurrency("USD")
                .setMetadata(Map.of("order", "A-17"))
                .build();
    }

    @Test
    void roundTripsASpecificRecord() {
        PaymentRequest request = aTransfer();

        assertThat(serde.deserialize("t", serde.serialize("t", request))).isEqualTo(request);
    }

    @Test
    void writesSingleObjectEncodingWithMarkerAndFingerprint() {
        byte[] bytes = serde.serialize("t", aTransfer());

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = ByteBuffer.wrap(Arrays.copyOfRange(bytes, 2, 10))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint)
                .isEqualTo(org.apache.avro.SchemaNormalization.parsingFingerprint64(PaymentRequest.getClassSchema()));
    }

    @Test
    void mapsNullToNullForTombstones() {
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }

    @Test
    void rejectsBytesWithoutTheSingleObjectMarker() {
        assertThatThrownBy(() -> serde.deserialize("payments.requests.v1", "{\"amount\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot decode PaymentRequest from topic payments.requests.v1");
    }

    @Test
    void rejectsRecordsWrittenWithAnUnregisteredSchema() throws Exception {
        Schema stranger = SchemaBuilder.record("PaymentRequest").namespace("elsewhere").fields()
                .requiredString("paymentId").endRecord();
        GenericRecord record = new GenericData.Record(stranger);
        record.put("paymentId", "x");
        ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), stranger).encode(record);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);

        assertThatThrownBy(() -> serde.deserialize("t", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Cannot resolve schema for fingerprint");
    }

    @Test
    void rejectsTruncatedBodies() {
        byte[] bytes = serde.serialize("t", aTransfer());

        assertThatThrownBy(() -> serde.deserialize("t", Arrays.copyOf(bytes, 14)))
                .isInstanceOf(SerializationException.class);
    }
}
