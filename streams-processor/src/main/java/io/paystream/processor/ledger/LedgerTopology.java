package io.paystream.processor.ledger;

import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AtomicBatch;
import io.paystream.schemas.avro.AcquirerRequest;
import io.paystream.schemas.avro.CardTopUp;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.HoldState;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The ledger sub-topology: reads {@code payments.ledger.v1} (key accountId), and the first legs that request intake,
 * in the same sub-topology, decides from the request topics; keeps the {@code accounts} store, and writes the next
 * legs back to {@code payments.ledger.v1}, plus events, audit records, notifications, dead letters, and card charges
 * and refunds on {@code acquirer.requests.v1}. The one record that is not routed by its key is CLOSE_PROBE, which
 * goes to every partition.
 */
public final class LedgerTopology {
    /** accountId → AccountState. Its changelog is {@code <application.id>-accounts-changelog}. */
    public static final String ACCOUNTS_STORE = "accounts";
    /** Per-currency totals of this task's in-flight payments (see {@link InFlight}); read by the metrics. */
    public static final String FLOWS_STORE = "ledger-flows";

    /** paymentId → HoldState: the open authorizations on this task's accounts. */
    public static final String HOLDS_STORE = "holds";
    /** {@link HoldIndex} key → paymentId: the open holds in expiry order. */
    public static final String HOLD_EXPIRIES_STORE = "hold-expiries";

    /**
     * paymentId → the minor units its refunds have taken from its payee, on the payee's task: what keeps a payment's
     * refunds within its completed amount. Written only by refunds.
     */
    public static final String REFUNDED_STORE = "refunded-amounts";

    /**
     * paymentId:refundId → the payment's refunded total after it, on the payee's task: every refund that debited the
     * payee, kept for ever, so that a refund id is applied once however late it comes back.
     */
    public static final String APPLIED_REFUNDS_STORE = "applied-refunds";

    /**
     * paymentId → CardTopUp, on the payee's task: what it asked the acquirer to charge for each card top-up, and how
     * far that charge has got. Acquirer answers are checked against it.
     */
    public static final String CARD_TOP_UPS_STORE = "card-top-ups";

    /**
     * On the task of each client's OPEN_QUOTA key: clientId → how many accounts it has opened, and
     * clientId + '\u0000' + accountId → 1 for each of them (a repeated OPEN does not count twice).
     */
    public static final String ACCOUNT_QUOTAS_STORE = "account-quotas";

    /** On the coordinator's task: batchId → AtomicBatch, each atomic batch's votes counted and its decision. */
    public static final String ATOMIC_BATCHES_STORE = "atomic-batches";
    /** batchId/index → the VOTE of each payment that voted for, kept until its batch is decided. */
    public static final String ATOMIC_VOTES_STORE = "atomic-votes";
    /** {@code <deadlineMs, 19 digits>/<batchId>} → batchId: the undecided atomic batches in deadline order. */
    public static final String ATOMIC_DEADLINES_STORE = "atomic-deadlines";

    /**
     * The key of the in-task record (no value, never written to a topic) with which batch intake tells the ledger
     * processor that a batch record's payments are all decided, so that it sends their legs for other tasks grouped.
     */
    public static final String END_OF_BATCH_KEY = "~end-of-batch";

    static final String SOURCE = "ledger-source";
    /** The node that applies ledger commands; request intake, in the same sub-topology, hands it first legs. */
    public static final String PROCESSOR = "ledger";
    static final String QUOTA_PROCESSOR = "account-quota";

    /**
     * The topics the ledger touches.
     *
     * @param ledger input, and output for follow-up legs
     * @param events payment lifecycle events
     * @param audit the journal
     * @param notifications messages for account holders
     * @param deadLetters commands that could not be processed
     * @param charges card charges and refunds for the acquirer connector
     */
    public record Topics(
            Topic<String, LedgerCommand> ledger,
            Topic<String, PaymentEvent> events,
            Topic<String, AuditRecord> audit,
            Topic<String, Notification> notifications,
            Topic<byte[], byte[]> deadLetters,
            Topic<String, AcquirerRequest> charges,
            Topic<String, BalanceEvent> balanceEvents) {
    }

    private LedgerTopology() {
    }

    /** The {@code account-quotas} key that records {@code accountId} as one of {@code clientId}'s accounts. */
    static String quotaMemberKey(String clientId, String accountId) {
        return clientId + '\u0000' + accountId;
    }

    /**
     * A CLOSE_PROBE goes to every partition of the ledger, a TICK to the partition it names; every other command by
     * its key, as usual.
     */
    static Optional<Set<Integer>> probesToEveryPartition(String topic, String key, LedgerCommand command,
            int numPartitions) {
        if (command != null && command.getType() == LedgerCommandType.CLOSE_PROBE) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
        }
        if (command != null && command.getType() == LedgerCommandType.TICK && command.getPartition() != null
                && command.getPartition() < numPartitions) {
            return Optional.of(Set.of(command.getPartition()));
        }
        return Optional.empty();
    }

    /**
     * Adds the ledger's source, processor, store and sinks to {@code topology}.
     *
     * @param partitions the partition count of the ledger topic, which every CLOSE_PROBE goes to in full
     * @param cardTopUpRetention how long an ended card top-up stays in {@code card-top-ups}, in stream time
     * @param quota how many accounts each client may open
     * @param upstream processors of the same sub-topology that hand the ledger commands directly (request intake)
     */
    public static void addTo(Topology topology, Topics topics, int partitions, Duration cardTopUpRetention,
            AccountQuota quota, PaymentMetrics metrics, String... upstream) {
        topology.addSource(SOURCE, topics.ledger().keySerde().deserializer(),
                topics.ledger().valueSerde().deserializer(), topics.ledger().name());
        EmissionSinks sinks = new EmissionSinks("ledger-events-sink", "ledger-audit-sink", "ledger-legs-sink",
                "ledger-notifications-sink", "ledger-dlq-sink", "ledger-charges-sink", "ledger-balance-events-sink");
        String[] parents = new String[upstream.length + 1];
        parents[0] = SOURCE;
        System.arraycopy(upstream, 0, parents, 1, upstream.length);
        topology.addProcessor(PROCESSOR, () -> new LedgerProcessor(topics.ledger(), sinks, partitions,
                cardTopUpRetention, metrics), parents);
        EmissionSinks quotaSinks = new EmissionSinks(null, sinks.audit(), sinks.legs(), null, null);
        topology.addProcessor(QUOTA_PROCESSOR, () -> new AccountQuotaProcessor(quotaSinks, quota), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ACCOUNT_QUOTAS_STORE),
                Serdes.String(), Serdes.Long()), QUOTA_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ACCOUNTS_STORE),
                Serdes.String(), AvroSerde.of(AccountState.class)), PROCESSOR);
        // Cached: a task's in-flight totals change with every leg, and only their value at each commit matters (the
        // cache writes each changed total to the changelog once per commit, in the same transaction). Uncached, they
        // were 4 of the 18 broker writes of every payment, for one gauge.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FLOWS_STORE),
                Serdes.String(), InFlight.totalSerde()).withCachingEnabled(), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HOLDS_STORE),
                Serdes.String(), AvroSerde.of(HoldState.class)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HOLD_EXPIRIES_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REFUNDED_STORE),
                Serdes.String(), Serdes.Long()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(APPLIED_REFUNDS_STORE),
                Serdes.String(), Serdes.Long()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CARD_TOP_UPS_STORE),
                Serdes.String(), AvroSerde.of(CardTopUp.class)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ATOMIC_BATCHES_STORE),
                Serdes.String(), AvroSerde.of(AtomicBatch.class)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ATOMIC_VOTES_STORE),
                Serdes.String(), AvroSerde.of(LedgerCommand.class)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ATOMIC_DEADLINES_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.events(), topics.events(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.audit(), topics.audit(), PROCESSOR, QUOTA_PROCESSOR);
        topology.addSink(sinks.legs(), topics.ledger().name(), topics.ledger().keySerde().serializer(),
                topics.ledger().valueSerde().serializer(), LedgerTopology::probesToEveryPartition, PROCESSOR,
                QUOTA_PROCESSOR);
        EmissionSinks.addSink(topology, sinks.notifications(), topics.notifications(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.deadLetters(), topics.deadLetters(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.charges(), topics.charges(), PROCESSOR);
        EmissionSinks.addSink(topology, sinks.balanceEvents(), topics.balanceEvents(), PROCESSOR);
    }
}
