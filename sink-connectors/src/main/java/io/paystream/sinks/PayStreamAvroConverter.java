package io.paystream.sinks;

import io.paystream.schemas.avro.AcquirerRequest;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.serde.AvroSerde;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

/**
 * Decodes PayStream's single-object-encoded Avro values into the generated classes, handed to the sink tasks as
 * schemaless values. Decoding happens here, in the converter, so that an undecodable record goes through Connect's own
 * error handling ({@code errors.tolerance}, {@code errors.deadletterqueue.topic.name}) instead of failing the task.
 * Configure it with {@code value.converter.record=audit}, {@code payment-event}, {@code notification} or {@code acquirer-request}.
 * Records of {@code accounts.balance-events.v1} are balance events whatever the setting, so that the webhook sink reads
 * them beside the notifications.
 */
public final class PayStreamAvroConverter implements Converter, Versioned {
    private static final AvroSerde<BalanceEvent> BALANCE_EVENTS = AvroSerde.of(BalanceEvent.class);

    private AvroSerde<? extends SpecificRecord> serde;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Object record = configs.get("record");
        serde = switch (String.valueOf(record)) {
            case "audit" -> AvroSerde.of(AuditRecord.class);
            case "payment-event" -> AvroSerde.of(PaymentEvent.class);
            case "notification" -> AvroSerde.of(Notification.class);
            case "acquirer-request" -> AvroSerde.of(AcquirerRequest.class);
            default -> throw new DataException("value.converter.record must be 'audit', 'payment-event', "
                    + "'notification' or 'acquirer-request', not '"
                    + record + "'");
        };
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        throw new DataException("PayStreamAvroConverter only reads: it serves sink connectors");
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        try {
            return new SchemaAndValue(null, Topics.BALANCE_EVENTS.name().equals(topic)
                    ? BALANCE_EVENTS.deserialize(topic, value) : serde.deserialize(topic, value));
        } catch (SerializationException e) {
            throw new DataException("undecodable record on " + topic + ": " + e.getMessage(), e);
        }
    }
}
