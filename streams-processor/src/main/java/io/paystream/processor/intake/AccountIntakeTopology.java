package io.paystream.processor.intake;

import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import org.apache.kafka.streams.Topology;

/**
 * The account intake sub-topology (stateless): reads {@code accounts.requests.v1} (key accountId) and forwards valid
 * requests to {@code payments.ledger.v1} under the same key, so the account's ledger task applies them.
 */
public final class AccountIntakeTopology {
    static final String SOURCE = "account-requests-source";
    static final String PROCESSOR = "account-intake";

    /**
     * The topics account intake touches.
     *
     * @param requests input
     * @param ledger account commands
     * @param audit rejections of invalid requests
     * @param deadLetters misrouted records
     */
    public record Topics(
            Topic<String, AccountRequest> requests,
            Topic<String, LedgerCommand> ledger,
            Topic<String, AuditRecord> audit,
            Topic<byte[], byte[]> deadLetters) {
    }

    private AccountIntakeTopology() {
    }

    /** Adds account intake's source, processor and sinks to {@code topology}. */
    public static void addTo(Topology topology, Topics topics, PaymentMetrics metrics) {
        topology.addSource(SOURCE, topics.requests().keySerde().deserializer(),
                topics.requests().valueSerde().deserializer(), topics.requests().name());
        EmissionSinks sinks = new EmissionSinks(null, "account-intake-audit-sink", "account-intake-legs-sink", null,
                "account-intake-dlq-sink");
        topology.addProcessor(PROCESSOR, () -> new AccountIntakeProcessor(topics.requests(), sinks, metrics), SOURCE);
        EmissionSinks.addSink(topology, sinks.audit(), topics.audit(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.legs(), topics.ledger(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.deadLetters(), topics.deadLetters(), PROCESSOR);
    }
}
