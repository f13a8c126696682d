package io.paystream.processor.ledger;

import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.serde.AvroSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The ledger sub-topology: reads {@code payments.ledger.v1} only (key accountId), keeps the {@code accounts} store, and
 * writes the next legs back to {@code payments.ledger.v1}, plus events, audit records, notifications and dead
 * letters. Reading one topic keeps replay deterministic: the same input in the same order gives the same state.
 */
public final class LedgerTopology {
    /** accountId → AccountState. Its changelog is {@code <application.id>-accounts-changelog}. */
    public static final String ACCOUNTS_STORE = "accounts";
    /** Per-currency totals of this task's in-flight payments (see {@link InFlight}); read by the metrics. */
    public static final String FLOWS_STORE = "ledger-flows";

    static final String SOURCE = "ledger-source";
    static final String PROCESSOR = "ledger";

    /**
     * The topics the ledger touches.
     *
     * @param ledger input, and output for follow-up legs
     * @param events payment lifecycle events
     * @param audit the journal
     * @param notifications messages for account holders
     * @param deadLetters commands that could not be processed
     */
    public record Topics(
            Topic<String, LedgerCommand> ledger,
            Topic<String, PaymentEvent> events,
            Topic<String, AuditRecord> audit,
            Topic<String, Notification> notifications,
            Topic<byte[], byte[]> deadLetters) {
    }

    private LedgerTopology() {
    }

    /** Adds the ledger's source, processor, store and sinks to {@code topology}. */
    public static void addTo(Topology topology, Topics topics, PaymentMetrics metrics) {
        topology.addSource(SOURCE, topics.ledger().keySerde().deserializer(),
                topics.ledger().valueSerde().deserializer(), topics.ledger().name());
        EmissionSinks sinks = new EmissionSinks("ledger-events-sink", "ledger-audit-sink", "ledger-legs-sink",
                "ledger-notifications-sink", "ledger-dlq-sink");
        topology.addProcessor(PROCESSOR, () -> new LedgerProcessor(topics.ledger(), sinks, metrics), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ACCOUNTS_STORE),
                Serdes.String(), AvroSerde.of(AccountState.class)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FLOWS_STORE),
                Serdes.String(), InFlight.totalSerde()), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.events(), topics.events(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.audit(), topics.audit(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.legs(), topics.ledger(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.notifications(), topics.notifications(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.deadLetters(), topics.deadLetters(), PROCESSOR);
    }
}
