package io.paystream.processor.cards;

import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AcquirerResult;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentEvent;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The card results sub-topology: reads {@code acquirer.results.v1} (key paymentId) only, keeps
 * {@code card-charges} (paymentId → the answer acted on), and writes the approved top-up's CREDIT leg, or the declined
 * one's REJECTED event, journal entry and notification.
 */
public final class CardResultTopology {
    /** paymentId → the first acquirer answer acted on ({@code APPROVED:<chargeId>} or {@code DECLINED:<code>}). */
    public static final String CHARGES_STORE = "card-charges";

    static final String SOURCE = "acquirer-results-source";
    static final String PROCESSOR = "card-results";

    /**
     * The topics the sub-topology touches.
     *
     * @param results the acquirer connector's answers
     * @param events REJECTED events of declined charges
     * @param ledger CREDIT legs of approved charges
     * @param audit declined charges, journalled on the payee
     * @param notifications declines, for the payee
     * @param deadLetters answers that name no payment
     */
    public record Topics(
            Topic<String, AcquirerResult> results,
            Topic<String, PaymentEvent> events,
            Topic<String, LedgerCommand> ledger,
            Topic<String, AuditRecord> audit,
            Topic<String, Notification> notifications,
            Topic<byte[], byte[]> deadLetters) {
    }

    private CardResultTopology() {
    }

    public static void addTo(Topology topology, Topics topics, PaymentMetrics metrics) {
        topology.addSource(SOURCE, topics.results().keySerde().deserializer(),
                topics.results().valueSerde().deserializer(), topics.results().name());
        EmissionSinks sinks = new EmissionSinks("card-results-events-sink", "card-results-audit-sink",
                "card-results-legs-sink", "card-results-notifications-sink", "card-results-dlq-sink");
        topology.addProcessor(PROCESSOR, () -> new CardResultProcessor(topics.results(), sinks, metrics), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CHARGES_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.events(), topics.events(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.audit(), topics.audit(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.legs(), topics.ledger(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.notifications(), topics.notifications(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.deadLetters(), topics.deadLetters(), PROCESSOR);
    }
}
