package io.paystream.processor.testing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.paystream.processor.topology.PaymentsTopology;
import io.paystream.processor.ledger.AccountQuota;
import io.paystream.processor.intake.PaymentIntakeTopology;
import io.paystream.processor.kafka.StreamsProperties;
import io.paystream.processor.ledger.LedgerTopology;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.processor.stats.StatsScopes;
import io.paystream.processor.status.PaymentStatusTopology;
import io.paystream.schemas.Topic;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.StatsBucket;
import io.paystream.schemas.stats.StatsKeys;
import io.paystream.schemas.stats.StatsWindow;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The production topology in a TopologyTestDriver, configured by the production {@code StreamsProperties}
 * (exactly-once, dead-letter handlers). Records get explicit timestamps one millisecond apart. Outputs accumulate, so
 * a test can look at everything a topic received so far.
 */
public final class Pipeline implements AutoCloseable {
    /** Where the test clock starts: a fixed instant keeps outputs reproducible. */
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TopologyTestDriver driver;
    /** A direct producer that may pay from {@code globex-} accounts, but not top them up. */
    public static final ApiClient GLOBEX = new ApiClient("globex", Set.of(Scopes.PAYMENTS_WRITE), List.of("globex-"));
    /** A direct producer that may also top up its {@code initech-} accounts. */
    public static final ApiClient INITECH = new ApiClient("initech",
            Set.of(Scopes.PAYMENTS_WRITE, Scopes.FUNDS_WRITE), List.of("initech-"));
    /** The stats count payments touching globex- and initech- accounts in those clients' scopes too. */
    public static final StatsScopes STATS_SCOPES = new StatsScopes(List.of(GLOBEX, INITECH));

    private final TestInputTopic<String, PaymentRequest> paymentRequests;
    private final TestInputTopic<String, AccountRequest> accountRequests;
    private final TestInputTopic<String, LedgerCommand> ledgerInput;
    private final Output<String, PaymentEvent> events;
    private final Output<String, AuditRecord> audits;
    private final Output<String, LedgerCommand> legs;
    private final Output<String, Notification> notifications;
    private final Output<byte[], byte[]> deadLetters;
    private final Output<String, io.paystream.schemas.avro.AcquirerRequest> charges;
    private final Output<String, io.paystream.schemas.avro.BalanceEvent> balanceEvents;
    private long nowMs = START.toEpochMilli();

    public Pipeline() {
        this(PaymentsTopology.DEFAULT_IDEMPOTENCY_WINDOW);
    }

    /** The pipeline with intake's idempotency window set to {@code idempotencyWindow}. */
    public Pipeline(Duration idempotencyWindow) {
        this(idempotencyWindow, PaymentsTopology.DEFAULT_CARD_TOP_UP_RETENTION);
    }

    /** The pipeline with the idempotency window and the card top-ups' retention given. */
    public Pipeline(Duration idempotencyWindow, Duration cardTopUpRetention) {
        this(idempotencyWindow, cardTopUpRetention, AccountQuota.standard(), 1);
    }

    /** The pipeline with every client's quota of accounts set to {@code accountsPerClient}. */
    public Pipeline(long accountsPerClient) {
        this(PaymentsTopology.DEFAULT_IDEMPOTENCY_WINDOW, PaymentsTopology.DEFAULT_CARD_TOP_UP_RETENTION,
                new AccountQuota(accountsPerClient, Map.of()), 1);
    }

    /**
     * The pipeline with a processor that believes the ledger has {@code partitions} partitions: the test driver still
     * runs one task, so every command whose account hashes elsewhere crosses the ledger topic (and comes back to the
     * same task), as it would between tasks. Account closing, which probes every partition, is not for this one.
     */
    public static Pipeline ofPartitions(int partitions) {
        return new Pipeline(PaymentsTopology.DEFAULT_IDEMPOTENCY_WINDOW, PaymentsTopology.DEFAULT_CARD_TOP_UP_RETENTION,
                AccountQuota.standard(), partitions);
    }

    private Pipeline(Duration idempotencyWindow, Duration cardTopUpRetention, AccountQuota accountQuota,
            int partitions) {
        PaymentMetrics metrics = new PaymentMetrics(registry);
        Properties properties = StreamsProperties.build(Map.of("bootstrap.servers", "unused:9092"),
                new StreamsProperties.Settings("paystream-test", tempDir(), 100, 0, 1, (short) 1, null,
                        null), metrics);
        driver = new TopologyTestDriver(PaymentsTopology.build(metrics, new PaymentsTopology.Settings(Map.of(
                Topics.directRequests(GLOBEX.clientId()).name(), GLOBEX,
                Topics.directRequests(INITECH.clientId()).name(), INITECH), idempotencyWindow, cardTopUpRetention,
                accountQuota, io.paystream.schemas.validation.PaymentRequestRules.HOLD_SECONDS_MIN, STATS_SCOPES),
                partitions),
                properties, START);
        paymentRequests = input(Topics.PAYMENT_REQUESTS);
        accountRequests = input(Topics.ACCOUNT_REQUESTS);
        ledgerInput = input(Topics.LEDGER);
        events = new Output<>(output(Topics.PAYMENT_EVENTS));
        audits = new Output<>(output(Topics.AUDIT));
        legs = new Output<>(output(Topics.LEDGER));
        notifications = new Output<>(output(Topics.NOTIFICATIONS));
        deadLetters = new Output<>(output(Topics.DEAD_LETTERS));
        charges = new Output<>(output(Topics.ACQUIRER_REQUESTS));
        balanceEvents = new Output<>(output(Topics.BALANCE_EVENTS));
    }

    /**
     * Sends a payment request keyed as the ingress keys it: by the account its first leg moves (the payee of a TOPUP,
     * else the payer), or by its payment id when it names no such account.
     */
    public void send(PaymentRequest request) {
        paymentRequests.pipeInput(new TestRecord<>(ingressKey(request), request, tick()));
    }

    /**
     * Sends a batch record as the ingress writes one share of a batch: keyed by the first-leg account of its first
     * payment. With the pipeline's one partition, every share is the whole batch.
     */
    public void sendBatch(io.paystream.schemas.avro.PaymentBatch batch) {
        driver.createInputTopic(Topics.PAYMENT_BATCHES.name(), Topics.PAYMENT_BATCHES.keySerde().serializer(),
                Topics.PAYMENT_BATCHES.valueSerde().serializer()).pipeInput(new TestRecord<>(
                batch.getPayments().isEmpty() ? batch.getBatchId() : ingressKey(batch.getPayments().get(0)), batch,
                tick()));
    }

    /** Sends a payment request keyed by its payment id, as direct producers key theirs. */
    public void sendKeyedByPaymentId(PaymentRequest request) {
        paymentRequests.pipeInput(new TestRecord<>(request.getPaymentId(), request, tick()));
    }

    private static String ingressKey(PaymentRequest request) {
        String account = io.paystream.schemas.validation.PaymentRequestRules.firstLegAccount(request);
        return account == null ? request.getPaymentId() : account;
    }

    /** Sends an action on a payment, keyed by its payment id. */
    public void send(PaymentAction action) {
        driver.createInputTopic(Topics.PAYMENT_ACTIONS.name(), Topics.PAYMENT_ACTIONS.keySerde().serializer(),
                Topics.PAYMENT_ACTIONS.valueSerde().serializer())
                .pipeInput(new TestRecord<>(action.getPaymentId(), action, tick()));
    }

    /** Sends a payment request stamped {@code timestamp}, whatever the pipeline's clock says. */
    public void send(PaymentRequest request, Instant timestamp) {
        paymentRequests.pipeInput(new TestRecord<>(ingressKey(request), request, timestamp));
    }

    /** Sends an action stamped {@code timestamp}, whatever the pipeline's clock says. */
    public void send(PaymentAction action, Instant timestamp) {
        driver.createInputTopic(Topics.PAYMENT_ACTIONS.name(), Topics.PAYMENT_ACTIONS.keySerde().serializer(),
                Topics.PAYMENT_ACTIONS.valueSerde().serializer())
                .pipeInput(new TestRecord<>(action.getPaymentId(), action, timestamp));
    }

    /** Moves the wall clock that wall-clock punctuators see, and nothing else: no record arrives. */
    public void advanceWallClock(Duration gap) {
        driver.advanceWallClockTime(gap);
    }

    /** Moves the pipeline's clock, and with it the timestamps of the records sent next, forward by {@code gap}. */
    public void advance(Duration gap) {
        nowMs += gap.toMillis();
    }

    /** The fingerprint intake remembers for {@code paymentId}, or null. */
    public String rememberedFingerprint(String paymentId) {
        return driver.<String, String>getKeyValueStore(PaymentIntakeTopology.FINGERPRINTS_STORE).get(paymentId);
    }

    /** The fingerprints action intake remembers for {@code actionId} now, whatever their age. */
    public List<String> rememberedActionFingerprints(String actionId) {
        List<String> fingerprints = new ArrayList<>();
        try (var remembered = driver.<String, String>getWindowStore(PaymentIntakeTopology.ACTION_FINGERPRINTS_STORE)
                .fetch(actionId, 0L, Long.MAX_VALUE)) {
            remembered.forEachRemaining(entry -> fingerprints.add(entry.value));
        }
        return fingerprints;
    }

    /** Sends a payment request to a direct producer's own topic, keyed by its payment id. */
    public void sendDirect(ApiClient producer, PaymentRequest request) {
        input(Topics.directRequests(producer.clientId()))
                .pipeInput(new TestRecord<>(request.getPaymentId(), request, tick()));
    }

    /** Sends a batch to a direct producer's own batch topic, keyed by its batch id. */
    public void sendDirectBatch(ApiClient producer, io.paystream.schemas.avro.PaymentBatch batch) {
        input(Topics.directBatches(producer.clientId()))
                .pipeInput(new TestRecord<>(batch.getBatchId(), batch, tick()));
    }

    /** Sends an account request keyed by its account id. */
    public void send(AccountRequest request) {
        accountRequests.pipeInput(new TestRecord<>(request.getAccountId(), request, tick()));
    }

    /** Writes a command straight into the ledger topic, as a misbehaving producer could. */
    /** An answer of the acquirer, as the acquirer connector writes it (keyed by its payment id). */
    public void sendResult(io.paystream.schemas.avro.AcquirerResult result) {
        driver.createInputTopic(Topics.ACQUIRER_RESULTS.name(), Topics.ACQUIRER_RESULTS.keySerde().serializer(),
                Topics.ACQUIRER_RESULTS.valueSerde().serializer()).pipeInput(result.getPaymentId(), result, tick());
    }

    /** The card charges intake asked the acquirer connector to make. */
    public List<io.paystream.schemas.avro.AcquirerRequest> charges() {
        return charges.values();
    }

    public void sendToLedger(LedgerCommand command) {
        ledgerInput.pipeInput(new TestRecord<>(command.getAccountId(), command, tick()));
    }

    /** Writes raw bytes to any topic: poison pills. */
    public void sendRaw(String topic, byte[] key, byte[] value) {
        driver.createInputTopic(topic, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer())
                .pipeInput(new TestRecord<>(key, value, tick()));
    }

    public AccountState account(String accountId) {
        return accountsStore().get(accountId);
    }

    public PaymentState payment(String paymentId) {
        KeyValueStore<String, PaymentState> store = driver.getKeyValueStore(PaymentStatusTopology.PAYMENTS_STORE);
        return store.get(paymentId);
    }

    /** Every account in the ledger's store. */
    public List<AccountState> accounts() {
        List<AccountState> all = new ArrayList<>();
        try (KeyValueIterator<String, AccountState> iterator = accountsStore().all()) {
            iterator.forEachRemaining(entry -> all.add(entry.value));
        }
        return all;
    }

    public List<PaymentEvent> events() {
        return events.values();
    }

    /** The events with their record timestamps, in the order they were written. */
    public List<TestRecord<String, PaymentEvent>> eventRecords() {
        return events.records();
    }

    /** Every bucket that a stats window store holds now: scope|currency → bucket start → bucket. */
    public Map<String, Map<Long, StatsBucket>> statsBuckets(StatsWindow window) {
        Map<String, Map<Long, StatsBucket>> buckets = new TreeMap<>();
        try (KeyValueIterator<Windowed<String>, StatsBucket> all =
                driver.<String, StatsBucket>getWindowStore(window.store()).all()) {
            all.forEachRemaining(entry -> buckets.computeIfAbsent(entry.key.key(), k -> new TreeMap<>())
                    .put(entry.key.window().start(), entry.value));
        }
        return buckets;
    }

    /** The in-flight counts of the stats, without the zeros: scope|currency → count. */
    public Map<String, Long> statsInFlight() {
        Map<String, Long> inFlight = new TreeMap<>();
        try (KeyValueIterator<String, Long> all =
                driver.<String, Long>getKeyValueStore(StatsKeys.IN_FLIGHT_STORE).all()) {
            all.forEachRemaining(entry -> {
                if (entry.value != 0) {
                    inFlight.put(entry.key, entry.value);
                }
            });
        }
        return inFlight;
    }

    public List<AuditRecord> audits() {
        return audits.values();
    }

    public List<LedgerCommand> legs() {
        return legs.values();
    }

    public List<Notification> notifications() {
        return notifications.values();
    }

    public List<io.paystream.schemas.avro.BalanceEvent> balanceEvents() {
        return balanceEvents.values();
    }

    public List<TestRecord<byte[], byte[]>> deadLetters() {
        return deadLetters.records();
    }

    /** The events of one payment, in order. */
    public List<PaymentEvent> eventsOf(String paymentId) {
        return events().stream().filter(e -> e.getPaymentId().equals(paymentId)).toList();
    }

    /** Asserts that every ledger invariant holds for the pipeline as it is now. */
    public void assertInvariantsHold() {
        org.assertj.core.api.Assertions.assertThat(io.paystream.testing.LedgerInvariants.violations(events(),
                audits(), accounts(), this::status)).as("ledger invariant violations").isEmpty();
    }

    /** The stored status of a payment, or null when the store does not have it. */
    public io.paystream.schemas.avro.PaymentStatus status(String paymentId) {
        PaymentState state = payment(paymentId);
        return state == null ? null : state.getStatus();
    }

    /** A value of the ledger's in-flight totals ({@code ledger-flows}), or 0 when the key was never written. */
    public java.math.BigInteger flow(String key) {
        KeyValueStore<String, java.math.BigInteger> store = driver.getKeyValueStore(LedgerTopology.FLOWS_STORE);
        java.math.BigInteger value = store.get(key);
        return value == null ? java.math.BigInteger.ZERO : value;
    }

    /** Sets a value of the ledger's in-flight totals, as a long-running task would have accumulated it. */
    public void setFlow(String key, java.math.BigInteger value) {
        driver.<String, java.math.BigInteger>getKeyValueStore(LedgerTopology.FLOWS_STORE).put(key, value);
    }

    public SimpleMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        driver.close();
    }

    private KeyValueStore<String, AccountState> accountsStore() {
        return driver.getKeyValueStore(LedgerTopology.ACCOUNTS_STORE);
    }

    private Instant tick() {
        nowMs++;
        return Instant.ofEpochMilli(nowMs);
    }

    private <K, V> TestInputTopic<K, V> input(Topic<K, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    private <K, V> TestOutputTopic<K, V> output(Topic<K, V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(),
                topic.valueSerde().deserializer());
    }

    private static String tempDir() {
        try {
            return Files.createTempDirectory("paystream-ttd").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Accumulates what an output topic received, since reading a TestOutputTopic consumes it. */
    private static final class Output<K, V> {
        private final TestOutputTopic<K, V> topic;
        private final List<TestRecord<K, V>> seen = new ArrayList<>();

        Output(TestOutputTopic<K, V> topic) {
            this.topic = topic;
        }

        List<TestRecord<K, V>> records() {
            seen.addAll(topic.readRecordsToList());
            return List.copyOf(seen);
        }

        List<V> values() {
            return records().stream().map(TestRecord::value).toList();
        }
    }
}
