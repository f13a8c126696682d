package io.paystream.processor.internal;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AcquirerRequest;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentEvent;
import java.util.Optional;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The sink nodes one processor forwards to, and the forwarding itself: events keyed by paymentId, every other record
 * keyed by its accountId, each keeping the input's timestamp and headers. A sink that a processor never uses is null,
 * and forwarding to it is a programming error.
 *
 * @param events sink node for {@code payments.events.v1}
 * @param audit sink node for {@code payments.audit.v1}
 * @param legs sink node for {@code payments.ledger.v1}
 * @param notifications sink node for {@code payments.notifications.v1}
 * @param deadLetters sink node for {@code payments.dlq.v1}
 * @param charges sink node for {@code acquirer.requests.v1}
 * @param balanceEvents sink node for {@code accounts.balance-events.v1}
 */
public record EmissionSinks(String events, String audit, String legs, String notifications, String deadLetters,
        String charges, String balanceEvents) {

    /** Sinks for a processor that sends no card charges and no balance events. */
    public EmissionSinks(String events, String audit, String legs, String notifications, String deadLetters) {
        this(events, audit, legs, notifications, deadLetters, null, null);
    }

    /** Adds a sink node for {@code topic}, fed by {@code parents}, with the topic's own serializers. */
    public static <K, V> String addSink(Topology topology, String name, Topic<K, V> topic, String... parents) {
        topology.addSink(name, topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer(), parents);
        return name;
    }

    /**
     * Forwards every emission to its sink, in the order events, audits, legs, notifications, charges, balance events.
     */
    public void forward(ProcessorContext<Object, Object> context, Record<?, ?> input, Emissions emissions) {
        for (PaymentEvent event : emissions.events()) {
            context.forward(input.withKey((Object) event.getPaymentId()).withValue((Object) event), required(events));
        }
        for (AuditRecord audit : emissions.audits()) {
            context.forward(input.withKey((Object) audit.getAccountId()).withValue((Object) audit), required(this.audit));
        }
        for (LedgerCommand leg : emissions.legs()) {
            context.forward(input.withKey((Object) leg.getAccountId()).withValue((Object) leg), required(legs));
        }
        for (Notification notification : emissions.notifications()) {
            context.forward(input.withKey((Object) notification.getAccountId()).withValue((Object) notification),
                    required(notifications));
        }
        for (AcquirerRequest charge : emissions.charges()) {
            context.forward(input.withKey((Object) charge.getPaymentId()).withValue((Object) charge),
                    required(charges));
        }
        for (BalanceEvent event : emissions.balanceEvents()) {
            context.forward(input.withKey((Object) event.getAccountId()).withValue((Object) event),
                    required(balanceEvents));
        }
    }

    /**
     * Forwards the input, re-encoded with its topic's serdes, to the dead-letter sink with error headers, and counts it
     * as a processing-stage dead letter.
     */
    public <K, V> void deadLetter(ProcessorContext<Object, Object> context, Record<K, V> input, Topic<K, V> source,
            Exception failure, PaymentMetrics metrics) {
        deadLetter(context, input, source, context.recordMetadata(), failure, metrics);
    }

    /**
     * As {@link #deadLetter(ProcessorContext, Record, Topic, Exception, PaymentMetrics)}, for a record that another
     * processor of the task handed over rather than read from {@code source}: the record being processed is then
     * that processor's input, so its topic, partition and offset are not this record's, and are left out.
     */
    public <K, V> void deadLetterHandedOver(ProcessorContext<Object, Object> context, Record<K, V> input,
            Topic<K, V> source, Exception failure, PaymentMetrics metrics) {
        deadLetter(context, input, source, Optional.empty(), failure, metrics);
    }

    private <K, V> void deadLetter(ProcessorContext<Object, Object> context, Record<K, V> input, Topic<K, V> source,
            Optional<RecordMetadata> metadata, Exception failure, PaymentMetrics metrics) {
        String topicName = metadata.map(RecordMetadata::topic).orElse(source.name());
        byte[] key = source.keySerde().serializer().serialize(topicName, input.key());
        byte[] value = source.valueSerde().serializer().serialize(topicName, input.value());
        context.forward(DeadLetters.of(input, metadata, key, value, failure), required(deadLetters));
        metrics.deadLettered("processing", topicName);
    }

    private static String required(String sink) {
        Invariants.check(sink != null, "this processor has no sink for that kind of record");
        return sink;
    }
}
