package io.paystream.processor.intake;

import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentBatch;
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
 * Payment intake, in two parts.
 *
 * <ul>
 *   <li><b>Requests</b> ({@code payments.requests.v1}, the batches of {@code payments.batches.v1}, and the direct
 *       producers' own request and batch topics, co-partitioned with the ledger) are decided in the ledger's sub-topology, with the {@code payment-fingerprints} store (paymentId →
 *       request fingerprint, kept for ever). The ingress keys each request by the account its first leg moves, so
 *       the leg is applied by the ledger processor of the same task, in the same transaction: a transfer reaches its
 *       terminal event in two exactly-once steps (intake with the debit, then the credit), not three.
 *   <li><b>Actions</b> ({@code payments.actions.v1}, key paymentId) are decided next to the status view, whose
 *       {@code payments} store they read, with the {@code payment-action-fingerprints} window store.
 * </ul>
 */
public final class PaymentIntakeTopology {
    /**
     * paymentId → fingerprint of the first request seen with that id, kept for ever, on the task of the request's
     * key. (The window store {@code payment-request-fingerprints} held these for the idempotency window while intake
     * ran beside the status view, which answered older retries.)
     */
    public static final String FINGERPRINTS_STORE = "payment-fingerprints";

    /** actionId → fingerprint of the first action seen with that id, kept for the idempotency window by stream time. */
    public static final String ACTION_FINGERPRINTS_STORE = "payment-action-fingerprints";

    /** The node that decides payment requests. */
    public static final String PROCESSOR = "payment-intake";

    /** The node that decides the payments of batch records. */
    public static final String BATCH_PROCESSOR = "payment-batch-intake";

    static final String SOURCE = "payment-requests-source";
    static final String BATCH_SOURCE = "payment-batches-source";
    static final String ACTIONS_SOURCE = "payment-actions-source";
    static final String ACTIONS_PROCESSOR = "payment-actions";

    /**
     * The topics payment intake touches.
     *
     * @param requests input from the ingress, which authenticated each request's client
     * @param batches batches of requests from the ingress, one record per partition of their first legs
     * @param actions actions on existing payments, from the ingress
     * @param direct input from direct producers: each one's own topic, by name, and the client it authenticates
     * @param events ACCEPTED and intake REJECTED events
     * @param ledger first legs
     * @param audit intake rejections and idempotency conflicts
     * @param deadLetters requests that could not be identified or processed
     * @param prefix what every topic name carries ({@code ""} live; a replay's shadow prefix), the direct producers'
     *     batch topics included
     */
    public record Topics(
            Topic<String, PaymentRequest> requests,
            Topic<String, PaymentBatch> batches,
            Topic<String, PaymentAction> actions,
            Map<String, ApiClient> direct,
            Topic<String, PaymentEvent> events,
            Topic<String, LedgerCommand> ledger,
            Topic<String, AuditRecord> audit,
            Topic<byte[], byte[]> deadLetters,
            String prefix) {

        public Topics {
            direct = Map.copyOf(direct);
        }

        /** Every request topic intake reads: the ingress's first, then the direct producers' in name order. */
        List<String> sources() {
            List<String> names = new ArrayList<>(List.of(requests.name()));
            names.addAll(new TreeSet<>(direct.keySet()));
            return names;
        }

        /** Each direct producer's batch topic, by name, and the client it authenticates. */
        Map<String, ApiClient> directBatches() {
            Map<String, ApiClient> batches = new java.util.TreeMap<>();
            direct.values().forEach(client -> batches.put(
                    prefix + io.paystream.schemas.Topics.directBatches(client.clientId()).name(), client));
            return batches;
        }

        /** Every batch topic intake reads: the ingress's first, then the direct producers' in name order. */
        List<String> batchSources() {
            List<String> names = new ArrayList<>(List.of(batches.name()));
            names.addAll(directBatches().keySet());
            return names;
        }
    }

    private PaymentIntakeTopology() {
    }

    /**
     * Adds request intake's sources, processors (single requests and batches), store and sinks to {@code topology}.
     * The ledger processor, added after them with {@link #PROCESSOR} and {@link #BATCH_PROCESSOR} among its parents,
     * must be called {@code ledger}.
     *
     * @param minHoldSeconds the shortest hold a manual capture may ask for
     * @param ledger the ledger processor's node name, to which each first leg for an account of the task goes
     * @param partitions the partition count of the co-partitioned topics
     */
    public static void addRequestsTo(Topology topology, Topics topics, long minHoldSeconds, String ledger,
            int partitions, PaymentMetrics metrics) {
        topology.addSource(SOURCE, topics.requests().keySerde().deserializer(),
                topics.requests().valueSerde().deserializer(), topics.sources().toArray(String[]::new));
        EmissionSinks sinks = new EmissionSinks("payment-intake-events-sink", "payment-intake-audit-sink",
                "payment-intake-legs-sink", null, "payment-intake-dlq-sink");
        topology.addProcessor(PROCESSOR, () -> new PaymentIntakeProcessor(topics.requests(), topics.direct(), sinks,
                ledger, minHoldSeconds, partitions, metrics), SOURCE);
        topology.addSource(BATCH_SOURCE, topics.batches().keySerde().deserializer(),
                topics.batches().valueSerde().deserializer(), topics.batchSources().toArray(String[]::new));
        // The same sinks as single requests: a batch's payments are decided by the same rules into the same topics.
        topology.addProcessor(BATCH_PROCESSOR, () -> new PaymentBatchIntakeProcessor(topics.batches(),
                topics.directBatches(), partitions, sinks, metrics,
                new PaymentIntakeProcessor(topics.requests(), Map.of(), sinks, ledger, minHoldSeconds, partitions,
                        metrics)), BATCH_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FINGERPRINTS_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR, BATCH_PROCESSOR);
        EmissionSinks.addSink(topology, sinks.events(), topics.events(), PROCESSOR, BATCH_PROCESSOR);
        EmissionSinks.addSink(topology, sinks.audit(), topics.audit(), PROCESSOR, BATCH_PROCESSOR);
        EmissionSinks.addSink(topology, sinks.legs(), topics.ledger(), PROCESSOR, BATCH_PROCESSOR);
        EmissionSinks.addSink(topology, sinks.deadLetters(), topics.deadLetters(), PROCESSOR, BATCH_PROCESSOR);
    }

    /**
     * Adds action intake's source, processor, store and sinks to {@code topology}, and connects the processor to the
     * status view's store, which must already be in the topology.
     *
     * @param idempotencyWindow how long an action id's fingerprint is remembered, in stream time
     * @param statusStore the name of the status view's store (paymentId → PaymentState)
     */
    public static void addActionsTo(Topology topology, Topics topics, Duration idempotencyWindow, String statusStore,
            PaymentMetrics metrics) {
        EmissionSinks sinks = new EmissionSinks("payment-actions-events-sink", "payment-actions-audit-sink",
                "payment-actions-legs-sink", null, "payment-actions-dlq-sink");
        topology.addSource(ACTIONS_SOURCE, topics.actions().keySerde().deserializer(),
                topics.actions().valueSerde().deserializer(), topics.actions().name());
        topology.addProcessor(ACTIONS_PROCESSOR, () -> new PaymentActionProcessor(topics.actions(), sinks,
                idempotencyWindow, statusStore, metrics), ACTIONS_SOURCE);
        // Retention is the window: segments older than the window (by the task's stream time) are dropped whole, and
        // the changelog is compacted and deleted after the same time plus a day (Kafka Streams' default margin).
        topology.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(ACTION_FINGERPRINTS_STORE,
                idempotencyWindow, idempotencyWindow, false), Serdes.String(), Serdes.String()), ACTIONS_PROCESSOR);
        topology.connectProcessorAndStateStores(ACTIONS_PROCESSOR, statusStore);
        EmissionSinks.addSink(topology, sinks.events(), topics.events(), ACTIONS_PROCESSOR);
        EmissionSinks.addSink(topology, sinks.audit(), topics.audit(), ACTIONS_PROCESSOR);
        EmissionSinks.addSink(topology, sinks.legs(), topics.ledger(), ACTIONS_PROCESSOR);
        EmissionSinks.addSink(topology, sinks.deadLetters(), topics.deadLetters(), ACTIONS_PROCESSOR);
    }
}
