package io.paystream.processor.cards;

import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AcquirerResult;
import io.paystream.schemas.avro.LedgerCommand;
import org.apache.kafka.streams.Topology;

/**
 * The card results sub-topology: reads {@code acquirer.results.v1} only (key paymentId) and routes each answer, as a
 * CARD_RESULT leg, to the ledger task of the account it names ({@code payments.ledger.v1}). It keeps nothing and trusts
 * nothing: the payee's task checks the answer against the charge it asked for, and dead-letters one that does not fit.
 */
public final class CardResultTopology {
    static final String SOURCE = "acquirer-results-source";
    static final String PROCESSOR = "card-results";

    /**
     * The topics the sub-topology touches.
     *
     * @param results the acquirer connector's answers
     * @param ledger CARD_RESULT legs, keyed by the account the answer names
     * @param deadLetters answers that cannot be read as an answer to a payment
     */
    public record Topics(
            Topic<String, AcquirerResult> results,
            Topic<String, LedgerCommand> ledger,
            Topic<byte[], byte[]> deadLetters) {
    }

    private CardResultTopology() {
    }

    public static void addTo(Topology topology, Topics topics, PaymentMetrics metrics) {
        topology.addSource(SOURCE, topics.results().keySerde().deserializer(),
                topics.results().valueSerde().deserializer(), topics.results().name());
        EmissionSinks sinks = new EmissionSinks(null, null, "card-results-legs-sink", null, "card-results-dlq-sink");
        topology.addProcessor(PROCESSOR, () -> new CardResultProcessor(topics.results(), sinks, metrics), SOURCE);
        EmissionSinks.addSink(topology, sinks.legs(), topics.ledger(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.deadLetters(), topics.deadLetters(), PROCESSOR);
    }
}
