package io.paystream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaHistoryTest {

    static Stream<Class<? extends SpecificRecord>> recordTypes() {
        return Stream.of(PaymentRequest.class, AccountRequest.class, LedgerCommand.class, PaymentEvent.class,
                AuditRecord.class, Notification.class, PaymentState.class, AccountState.class,
                io.paystream.schemas.avro.PaymentAction.class, io.paystream.schemas.avro.HoldState.class,
                io.paystream.schemas.avro.WebhookEndpoint.class, io.paystream.schemas.avro.AcquirerRequest.class,
                io.paystream.schemas.avro.AcquirerResult.class, io.paystream.schemas.avro.StatsBucket.class,
                io.paystream.schemas.avro.CardTopUp.class, io.paystream.schemas.avro.PaymentBatch.class,
                io.paystream.schemas.avro.AtomicBatch.class, io.paystream.schemas.avro.BalanceEvent.class);
    }

    @ParameterizedTest
    @MethodSource("recordTypes")
    void currentSchemaIsTheLatestReleasedVersion(Class<? extends SpecificRecord> type) {
        Schema current = SpecificData.get().getSchema(type);
        List<Schema> released = SchemaHistory.versionsOf(type.getSimpleName());

        assertThat(released).as("released versions of %s", type.getSimpleName()).isNotEmpty();
        assertThat(SchemaNormalization.parsingFingerprint64(released.get(released.size() - 1)))
                .as("%s changed: add avro-history/%s/v%d.avsc", type.getSimpleName(), type.getSimpleName(),
                        released.size() + 1)
                .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
    }

    @ParameterizedTest
    @MethodSource("recordTypes")
    <T extends SpecificRecord> void currentSchemaReadsDataWrittenByEveryReleasedVersion(Class<T> type) {
        Schema current = SpecificData.get().getSchema(type);
        AvroSerde<T> serde = AvroSerde.of(type);

        for (Schema writer : SchemaHistory.versionsOf(type.getSimpleName())) {
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, writer).getType())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);

            GenericRecord written = (GenericRecord) sample(writer);
            T read = serde.deserialize("t", encode(writer, written));

            for (Schema.Field field : writer.getFields()) {
                // A field whose own type evolved since (a nested record that gained a field) reads back with the
                // new field's default, so its text differs; that type's own history is checked on its own.
                if (current.getField(field.name()) != null
                        && current.getField(field.name()).schema().equals(field.schema())) {
                    assertThat(String.valueOf(read.get(current.getField(field.name()).pos())))
                            .as("%s.%s", type.getSimpleName(), field.name())
                            .isEqualTo(String.valueOf(written.get(field.name())));
                }
            }
        }
    }

    private static byte[] encode(Schema writer, GenericRecord record) {
        try {
            ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A value for every field of the schema: non-null union branches, the last enum symbol, non-empty collections. */
    private static Object sample(Schema schema) {
        return sample(schema, 0);
    }

    /**
     * As {@link #sample(Schema)}, {@code depth} records deep: a record that contains itself (a LEGS command's legs)
     * takes the null branch of its unions below the first level, so that the sample ends.
     */
    private static Object sample(Schema schema, int depth) {
        return switch (schema.getType()) {
            case RECORD -> {
                GenericData.Record record = new GenericData.Record(schema);
                for (Schema.Field field : schema.getFields()) {
                    record.put(field.name(), sample(field.schema(), depth + 1));
                }
                yield record;
            }
            case UNION -> depth > 2 && schema.getTypes().get(0).getType() == Schema.Type.NULL ? null
                    : sample(schema.getTypes().get(schema.getTypes().size() - 1), depth);
            case ENUM -> new GenericData.EnumSymbol(schema, schema.getEnumSymbols().get(schema.getEnumSymbols().size() - 1));
            case STRING -> "s-" + schema.getFullName().length();
            case LONG -> 1_234_567_890_123L;
            case INT -> 42;
            case BOOLEAN -> true;
            case MAP -> {
                Map<String, Object> map = new HashMap<>();
                map.put("k", sample(schema.getValueType(), depth));
                yield map;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>();
                list.add(sample(schema.getElementType(), depth));
                yield list;
            }
            default -> throw new IllegalArgumentException("no sample for " + schema.getType());
        };
    }
}
