package io.paystream.processor.intake;

import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.web.auth.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The payment intake sub-topology: reads {@code payments.requests.v1} and the direct producers' own request topics
 * (key paymentId, co-partitioned), keeps the {@code payment-request-fingerprints} window store (paymentId → request
 * fingerprint, for the idempotency window), reads the status view's {@code payments} store for ids older than the
 * window, and writes ACCEPTED/REJECTED events, the first ledger leg, intake rejections to the journal, and dead
 * letters. Sharing the {@code payments} store puts intake and the status view into one sub-topology: both are keyed
 * by payment id over co-partitioned topics, so a payment's request and its status live in the same task.
 */
public final class PaymentIntakeTopology {
    /**
     * paymentId → fingerprint of the first request seen with that id, kept for the idempotency window by stream time.
     * (Until the window existed this was the key-value store {@code payment-requests}, which kept every id for ever;
     * a window store's changelog has another key format, so it has another name.)
     */
    public static final String FINGERPRINTS_STORE = "payment-request-fingerprints";

    static final String SOURCE = "payment-requests-source";
    static final String PROCESSOR = "payment-intake";
    static final String ACTIONS_SOURCE = "payment-actions-source";
    static final String ACTIONS_PROCESSOR = "payment-actions";

    /**
     * The topics payment intake touches.
     *
     * @param requests input from the ingress, which authenticated each request's client
     * @param actions actions on existing payments, from the ingress
     * @param direct input from direct producers: each one's own topic, by name, and the client it authenticates
     * @param events ACCEPTED and intake REJECTED events
     * @param ledger first legs
     * @param audit intake rejections and idempotency conflicts
     * @param deadLetters requests that could not be identified or processed
     */
    public record Topics(
            Topic<String, PaymentRequest> requests,
            Topic<String, PaymentAction> actions,
            Map<String, ApiClient> direct,
            Topic<String, PaymentEvent> events,
            Topic<String, LedgerCommand> ledger,
            Topic<String, AuditRecord> audit,
            Topic<byte[], byte[]> deadLetters) {

        public Topics {
            direct = Map.copyOf(direct);
        }

        /** Every topic intake reads: the ingress's first, then the direct producers' in name order. */
        List<String> sources() {
            List<String> names = new ArrayList<>(List.of(requests.name()));
            names.addAll(new TreeSet<>(direct.keySet()));
            return names;
        }
    }

    private PaymentIntakeTopology() {
    }

    /**
     * Adds payment intake's source, processor, store and sinks to {@code topology}, and connects the processor to the
     * status view's store, which must already be in the topology.
     *
     * @param idempotencyWindow how long a payment id's request fingerprint is remembered, in stream time
     * @param minHoldSeconds the shortest hold a manual capture may ask for
     * @param statusStore the name of the status view's store (paymentId → PaymentState)
     * @param partitions the partition count of the co-partitioned topics
     */
    public static void addTo(Topology topology, Topics topics, Duration idempotencyWindow, long minHoldSeconds,
            String statusStore, int partitions, PaymentMetrics metrics) {
        topology.addSource(SOURCE, topics.requests().keySerde().deserializer(),
                topics.requests().valueSerde().deserializer(), topics.sources().toArray(String[]::new));
        EmissionSinks sinks = new EmissionSinks("payment-intake-events-sink", "payment-intake-audit-sink",
                "payment-intake-legs-sink", null, "payment-intake-dlq-sink");
        topology.addProcessor(PROCESSOR, () -> new PaymentIntakeProcessor(topics.requests(), topics.direct(), sinks,
                idempotencyWindow, minHoldSeconds, statusStore, partitions, metrics), SOURCE);
        // Retention is the window: segments older than the window (by the task's stream time) are dropped whole, and
        // the changelog is compacted and deleted after the same time plus a day (Kafka Streams' default margin).
        topology.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(FINGERPRINTS_STORE,
                idempotencyWindow, idempotencyWindow, false), Serdes.String(), Serdes.String()), PROCESSOR);
        topology.connectProcessorAndStateStores(PROCESSOR, statusStore);
        topology.addSource(ACTIONS_SOURCE, topics.actions().keySerde().deserializer(),
                topics.actions().valueSerde().deserializer(), topics.actions().name());
        topology.addProcessor(ACTIONS_PROCESSOR, () -> new PaymentActionProcessor(topics.actions(), sinks,
                idempotencyWindow, statusStore, metrics), ACTIONS_SOURCE);
        topology.connectProcessorAndStateStores(ACTIONS_PROCESSOR, FINGERPRINTS_STORE, statusStore);
        EmissionSinks.addSink(topology, sinks.events(), topics.events(), PROCESSOR, ACTIONS_PROCESSOR);
        EmissionSinks.addSink(topology, sinks.audit(), topics.audit(), PROCESSOR, ACTIONS_PROCESSOR);
        EmissionSinks.addSink(topology, sinks.legs(), topics.ledger(), PROCESSOR, ACTIONS_PROCESSOR);
        EmissionSinks.addSink(topology, sinks.deadLetters(), topics.deadLetters(), PROCESSOR, ACTIONS_PROCESSOR);
    }
}
