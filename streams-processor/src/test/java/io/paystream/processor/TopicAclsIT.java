package io.paystream.processor;

import static io.paystream.processor.testing.Fixtures.aLeg;
import static io.paystream.processor.testing.Fixtures.aTopUp;
import static io.paystream.processor.testing.Fixtures.aTransfer;
import static io.paystream.processor.testing.Fixtures.aWithdrawal;
import static io.paystream.processor.testing.Fixtures.anAccountRequest;
import static io.paystream.processor.testing.Fixtures.anOpen;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.paystream.processor.ledger.LedgerTopology;
import io.paystream.processor.testing.ProcessorUnderTest;
import io.paystream.schemas.Topic;
import io.paystream.schemas.Topics;
import io.paystream.processor.status.PaymentStatusTopology;
import io.paystream.processor.testing.Fixtures;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.testing.InProcessKafka;
import io.paystream.testing.LedgerInvariants;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The topics as a trust boundary, on a real broker with SASL/SCRAM-SHA-512 principals and Kafka's StandardAuthorizer
 * (docs/security.md): the processor runs as its own principal with least privilege; the ingress principal may write
 * only the two request topics; the direct producer "globex" only its own {@code payments.requests.globex.v1}, where
 * the processor checks it as client globex; "mallory" may write nothing; an auditor may only read the journal. A
 * forged ledger CREDIT, a forged status event, a forged account command and a write to the journal are all refused
 * by the broker, and the ledger never sees them, even while they arrive in the middle of a load.
 */
class TopicAclsIT {
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final Map<String, String> USERS = Map.of("processor", "processor-secret", "ingress",
            "ingress-secret", "globex", "globex-secret", "mallory", "mallory-secret", "auditor", "auditor-secret");
    /** processor-it.yml's direct producer, which owns the globex- accounts. */
    private static final Topic<String, PaymentRequest> GLOBEX_REQUESTS = Topics.directRequests("globex");
    /** Its batch topic, which the processor creates beside it. */
    private static final Topic<String, io.paystream.schemas.avro.PaymentBatch> GLOBEX_BATCHES =
            Topics.directBatches("globex");
    /** processor-it.yml's partition count. */
    private static final int PARTITIONS = 3;

    /** The load that the hostile producers interleave with. */
    private static final int LOAD_ACCOUNTS = 12;
    private static final int LOAD_PAYMENTS = 1_500;
    private static final long OPENING_BALANCE = 10_000;
    private static final int LOAD_CHUNK = 50;
    private static final long LOAD_PAUSE_MS = 100;
    /** The topics the hostile producers aim at, besides globex's own. */
    private static final int HOSTILE_TOPICS = 7;
    /** The requests globex writes to its own topic in each round. */
    private static final int FORGED_PER_ROUND = 4;

    /** processor-it.yml's application id. */
    private static final String APPLICATION_ID = "paystream-processor-it";

    private static InProcessKafka kafka;
    private static DropwizardTestSupport<ProcessorConfiguration> app;

    @BeforeAll
    static void start() throws Exception {
        kafka = InProcessKafka.startSecured(USERS);
        try (Admin admin = kafka.admin()) {
            List<AclBinding> processor = new ArrayList<>();
            // The processor, with least privilege: its own topics, and everything named after its application id
            // (internal topics, its consumer group, its transactional ids). Nothing else.
            List<String> topics = new ArrayList<>(Topics.ALL.stream().map(Topic::name).toList());
            topics.add(GLOBEX_REQUESTS.name());
            topics.add(GLOBEX_BATCHES.name());
            for (String topic : topics) {
                processor.add(allow("processor", ResourceType.TOPIC, topic, AclOperation.ALL));
            }
            for (ResourceType type : List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID)) {
                processor.add(new AclBinding(new ResourcePattern(type, APPLICATION_ID, PatternType.PREFIXED),
                        new AccessControlEntry("User:processor", "*", AclOperation.ALL, AclPermissionType.ALLOW)));
            }
            processor.add(allow("processor", ResourceType.CLUSTER, "kafka-cluster", AclOperation.IDEMPOTENT_WRITE));
            processor.add(allow("processor", ResourceType.CLUSTER, "kafka-cluster", AclOperation.DESCRIBE_CONFIGS));
            admin.createAcls(processor).all().get();
            admin.createAcls(List.of(
                    allow("ingress", ResourceType.TOPIC, Topics.PAYMENT_REQUESTS.name(), AclOperation.WRITE),
                    allow("ingress", ResourceType.TOPIC, Topics.ACCOUNT_REQUESTS.name(), AclOperation.WRITE),
                    allow("ingress", ResourceType.TOPIC, Topics.PAYMENT_ACTIONS.name(), AclOperation.WRITE),
                    allow("ingress", ResourceType.TOPIC, Topics.PAYMENT_BATCHES.name(), AclOperation.WRITE),
                    allow("globex", ResourceType.TOPIC, GLOBEX_REQUESTS.name(), AclOperation.WRITE),
                    allow("globex", ResourceType.TOPIC, GLOBEX_BATCHES.name(), AclOperation.WRITE),
                    allow("auditor", ResourceType.TOPIC, Topics.AUDIT.name(), AclOperation.READ),
                    allow("auditor", ResourceType.GROUP, "auditors", AclOperation.READ))).all().get();
        }
        List<ConfigOverride> overrides = new ArrayList<>();
        kafka.clientProperties("processor").forEach((key, value) ->
                overrides.add(ConfigOverride.config("kafka." + key.replace(".", "\\."), value)));
        app = ProcessorUnderTest.on(kafka.bootstrapServers(), overrides.toArray(ConfigOverride[]::new));
        app.before();
        await().atMost(SETTLE).until(() -> streams().state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.after();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static AclBinding allow(String user, ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    private static KafkaStreams streams() {
        return app.<ProcessorApplication>getApplication().streams().streams();
    }

    private static AccountState account(String accountId) {
        return streams().store(StoreQueryParameters.fromNameAndType(LedgerTopology.ACCOUNTS_STORE,
                QueryableStoreTypes.<String, AccountState>keyValueStore())).get(accountId);
    }

    /** Writes as {@code user}; throws what the broker answered. */
    private static <K, V> void send(String user, Topic<K, V> topic, K key, V value) throws Exception {
        send(user, topic, key, value, null);
    }

    /** Writes as {@code user} to {@code partition} (null: the key's); throws what the broker answered. */
    private static <K, V> void send(String user, Topic<K, V> topic, K key, V value, Integer partition)
            throws Exception {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        properties.putAll(kafka.clientProperties(user));
        try (KafkaProducer<K, V> producer = new KafkaProducer<>(properties, topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), partition, key, value)).get();
        }
    }

    /** The broker refused the write: a topic (or, for a principal that may write nothing, cluster) authorization. */
    private static void assertRefused(String user, Topic<?, ?> topic, ThrowingSend send) {
        assertThatThrownBy(send::run).as(user + " writing " + topic.name()).satisfies(thrown -> {
            Throwable cause = thrown;
            while (cause != null && !(cause instanceof AuthorizationException)) {
                cause = cause.getCause();
            }
            assertThat(cause).as("an authorization refusal in " + thrown).isNotNull();
        });
    }

    @FunctionalInterface
    private interface ThrowingSend {
        void run() throws Exception;
    }

    @Test
    void onlyTheProcessorWritesTheLedgerAndOnlyTheIngressTheAccountCommands() throws Exception {
        String accountId = "acl-" + UUID.randomUUID().toString().substring(0, 8);
        send("ingress", Topics.ACCOUNT_REQUESTS, accountId, anOpen(accountId, "USD", AccountType.CUSTOMER).build());
        // Opening is asynchronous: a top-up decided before the OPEN is applied is REJECTED(ACCOUNT_NOT_FOUND).
        await().atMost(SETTLE).until(() -> account(accountId) != null);
        PaymentRequest topUp = aTopUp(accountId, 500).build();
        send("ingress", Topics.PAYMENT_REQUESTS, topUp.getPaymentId(), topUp);
        await().atMost(SETTLE).until(() -> account(accountId) != null && account(accountId).getBalance() == 500);

        // A bare CREDIT on the ledger topic would create money; a forged event would stick; a FREEZE would lock a
        // stranger out. The broker refuses all of them before the processor could see them.
        assertRefused("mallory", Topics.LEDGER, () -> send("mallory", Topics.LEDGER, accountId,
                aLeg(LedgerCommandType.CREDIT, PaymentType.TOPUP, null, accountId, 1_000_000).build()));
        assertRefused("mallory", Topics.ACCOUNT_REQUESTS, () -> send("mallory", Topics.ACCOUNT_REQUESTS, accountId,
                anAccountRequest(AccountCommandType.FREEZE, accountId).build()));
        assertRefused("ingress", Topics.LEDGER, () -> send("ingress", Topics.LEDGER, accountId,
                aLeg(LedgerCommandType.CREDIT, PaymentType.TOPUP, null, accountId, 1_000_000).build()));
        assertRefused("auditor", Topics.AUDIT, () -> send("auditor", Topics.AUDIT, accountId, null));

        assertRefused("mallory", Topics.PAYMENT_REQUESTS, () -> send("mallory", Topics.PAYMENT_REQUESTS,
                topUp.getPaymentId(), aTopUp(accountId, 7).build()));
        assertRefused("globex", Topics.PAYMENT_REQUESTS, () -> send("globex", Topics.PAYMENT_REQUESTS,
                topUp.getPaymentId(), aTopUp(accountId, 7).build()));
        // Another client's batch topic is its own: nobody else may write a batch there.
        assertRefused("mallory", GLOBEX_BATCHES, () -> send("mallory", GLOBEX_BATCHES, topUp.getPaymentId(),
                null));

        assertThat(account(accountId).getStatus().toString()).isEqualTo("ACTIVE");
        assertThat(account(accountId).getBalance()).isEqualTo(500);
        assertThat(account(accountId).getEntrySeq()).as("one credit, nothing forged").isEqualTo(1);
    }

    @Test
    void aDirectProducerMovesMoneyOnlyFromAccountsItOwns() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String stranger = "acl-" + suffix;
        String own = "globex-" + suffix;
        for (String accountId : List.of(stranger, own)) {
            send("ingress", Topics.ACCOUNT_REQUESTS, accountId, anOpen(accountId, "USD", AccountType.CUSTOMER)
                    .build());
        }
        await().atMost(SETTLE).until(() -> account(stranger) != null && account(own) != null);
        PaymentRequest funding = aTopUp(stranger, 1_000).build();
        send("ingress", Topics.PAYMENT_REQUESTS, funding.getPaymentId(), funding);
        await().atMost(SETTLE).until(() -> account(stranger).getBalance() == 1_000);

        PaymentRequest theft = direct(aTransfer(stranger, own, 1_000));
        PaymentRequest mint = direct(aTopUp(own, 1_000_000));
        send("globex", GLOBEX_REQUESTS, theft.getPaymentId(), theft);
        send("globex", GLOBEX_REQUESTS, mint.getPaymentId(), mint);
        await().atMost(SETTLE).until(() -> reasonOf(theft) != null && reasonOf(mint) != null);

        assertThat(reasonOf(theft)).isEqualTo(RejectionReason.NOT_PERMITTED);
        assertThat(reasonOf(mint)).isEqualTo(RejectionReason.NOT_PERMITTED);
        assertThat(account(stranger).getBalance()).isEqualTo(1_000);
        assertThat(account(own).getBalance()).isZero();
        // What globex may do: pay from its own account, which the processor applies like any request.
        PaymentRequest paid = aTransfer(stranger, own, 400).build();
        send("ingress", Topics.PAYMENT_REQUESTS, paid.getPaymentId(), paid);
        await().atMost(SETTLE).until(() -> account(own).getBalance() == 400);
        PaymentRequest payBack = direct(aTransfer(own, stranger, 1));
        send("globex", GLOBEX_REQUESTS, payBack.getPaymentId(), payBack);
        await().atMost(SETTLE).until(() -> paymentState(payBack.getPaymentId()) != null
                && paymentState(payBack.getPaymentId()).getStatus() == PaymentStatus.COMPLETED);
        assertThat(account(stranger).getBalance()).isEqualTo(601);
        // A request globex puts on another partition than its key's (its own partitioner) is dead-lettered: two tasks
        // must never each decide one payment id.
        PaymentRequest misplaced = direct(aTransfer(own, stranger, 1));
        int home = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                misplaced.getPaymentId().getBytes(java.nio.charset.StandardCharsets.UTF_8))) % PARTITIONS;
        send("globex", GLOBEX_REQUESTS, misplaced.getPaymentId(), misplaced, (home + 1) % PARTITIONS);
        try (var deadLetters = kafka.reader(Topics.DEAD_LETTERS)) {
            await().atMost(SETTLE).until(() -> deadLetters.records().stream().anyMatch(dead -> new String(dead.key(),
                    java.nio.charset.StandardCharsets.UTF_8).equals(misplaced.getPaymentId())));
        }
        assertThat(paymentState(misplaced.getPaymentId())).as("never decided").isNull();
        assertThat(account(own).getBalance()).isEqualTo(399);
        // An atomic batch on globex's own batch topic, with one payment from a stranger's account: refused whole.
        String batchId = UUID.randomUUID().toString();
        List<PaymentRequest> legs = new ArrayList<>();
        String[][] pairs = {{own, stranger}, {stranger, own}};
        for (int index = 0; index < pairs.length; index++) {
            legs.add(aTransfer(pairs[index][0], pairs[index][1], 100)
                    .setPaymentId(io.paystream.schemas.BatchIds.paymentId(batchId, index)).setClientId("globex")
                    .setBatchId(batchId).setBatchIndex(index).build());
        }
        send("globex", GLOBEX_BATCHES, batchId, io.paystream.schemas.avro.PaymentBatch.newBuilder()
                .setBatchId(batchId).setClientId("globex").setSize(legs.size()).setPayments(legs).setAtomic(true)
                .build());
        await().atMost(SETTLE).until(() -> legs.stream().allMatch(leg -> paymentState(leg.getPaymentId()) != null
                && paymentState(leg.getPaymentId()).getStatus() == PaymentStatus.REJECTED));
        assertThat(reasonOf(legs.get(1))).isEqualTo(RejectionReason.NOT_PERMITTED);
        assertThat(reasonOf(legs.get(0))).isEqualTo(RejectionReason.ATOMIC_BATCH_FAILED);
        assertThat(account(own).getBalance()).isEqualTo(399);
        assertThat(account(own).getHeld()).isZero();
        // The broker stamps a direct producer's requests: its own clock cannot move intake's stream time.
        try (Admin admin = kafka.admin()) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, GLOBEX_REQUESTS.name());
            assertThat(admin.describeConfigs(List.of(topic)).all().get().get(topic)
                    .get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
            // Nor can the acquirer connector's answers: the broker stamps them too.
            ConfigResource results = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ACQUIRER_RESULTS.name());
            assertThat(admin.describeConfigs(List.of(results)).all().get().get(results)
                    .get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
        }
    }

    /**
     * The hostile producers of issue 13 in the middle of a load: while the ingress principal posts random transfers,
     * globex (a direct producer) and mallory (no rights) send forged records to every topic, round after round. The
     * broker refuses every write outside the ACLs; globex's requests on its own topic that reach for a stranger's
     * money, mint a top-up, claim another client or squat a payment id move nothing; every load payment ends once,
     * and the whole ledger's invariants hold.
     */
    @Test
    void forgedRecordsDuringALoadMoveNoMoney() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < LOAD_ACCOUNTS; i++) {
            accounts.add("acl-load-" + run + "-" + i);
        }
        String globexAccount = "globex-" + run;
        accounts.add(globexAccount);
        try (KafkaProducer<String, AccountRequest> opens = producer("ingress", Topics.ACCOUNT_REQUESTS)) {
            for (String accountId : accounts) {
                var unused = opens.send(new ProducerRecord<>(Topics.ACCOUNT_REQUESTS.name(), accountId,
                        anOpen(accountId, "USD", AccountType.CUSTOMER).build()));
            }
        }
        await().atMost(SETTLE).until(() -> accounts.stream().allMatch(id -> account(id) != null));
        List<PaymentRequest> load = new ArrayList<>();
        Random random = new Random(run.hashCode());
        for (String accountId : accounts) {
            load.add(aTopUp(accountId, OPENING_BALANCE).build());
        }
        for (int i = 0; i < LOAD_PAYMENTS; i++) {
            String from = accounts.get(random.nextInt(accounts.size()));
            String to = accounts.get(random.nextInt(accounts.size()));
            if (!from.equals(to)) {
                load.add(aTransfer(from, to, 1 + random.nextInt(2 * (int) (OPENING_BALANCE / 10)))
                        .setReference("load " + i).setPaymentId(Fixtures.paymentId(run + " load " + i)).build());
            }
        }

        AtomicBoolean loadDone = new AtomicBoolean();
        List<String> leaks = new CopyOnWriteArrayList<>();
        List<PaymentRequest> forgedRequests = new CopyOnWriteArrayList<>();
        AtomicInteger refusals = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            // The load is paced (about 3 s) so that the forgeries interleave with it, and the first rounds' squats
            // come before the requests whose ids they take.
            Future<?> loader = threads.submit(() -> {
                try (KafkaProducer<String, PaymentRequest> producer = producer("ingress", Topics.PAYMENT_REQUESTS)) {
                    for (int i = 0; i < load.size(); i++) {
                        var unused2 = producer.send(new ProducerRecord<>(Topics.PAYMENT_REQUESTS.name(), load.get(i).getPaymentId(),
                                load.get(i)));
                        if (i % LOAD_CHUNK == LOAD_CHUNK - 1) {
                            Thread.sleep(LOAD_PAUSE_MS);
                        }
                    }
                }
                return null;
            });
            Future<?> hostile = threads.submit(() -> {
                forge(accounts, load, loadDone, forgedRequests, refusals, leaks);
                return null;
            });
            loader.get(SETTLE.toSeconds(), TimeUnit.SECONDS);
            // The forgeries go on until the processor has decided the whole load.
            await().atMost(SETTLE).until(() -> load.stream().allMatch(request -> {
                PaymentState state = paymentState(request.getPaymentId());
                return state != null && state.getStatus() != PaymentStatus.ACCEPTED;
            }));
            loadDone.set(true);
            hostile.get(SETTLE.toSeconds(), TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }

        assertThat(leaks).as("forged writes the broker accepted").isEmpty();
        int rounds = forgedRequests.size() / FORGED_PER_ROUND;
        System.out.printf("TopicAclsIT: %d forgery rounds during a load of %d, %d writes refused%n", rounds,
                load.size(), refusals.get());
        assertThat(rounds).as("forgery rounds during the load").isGreaterThan(1);
        assertThat(refusals.get()).as("forged writes refused by the broker")
                .isEqualTo(rounds * (2 * HOSTILE_TOPICS + 1));
        List<PaymentRequest> decided = new ArrayList<>(load);
        forgedRequests.stream().filter(request -> TopicAclsIT.isRandom(request.getPaymentId())).forEach(decided::add);
        await().atMost(SETTLE).until(() -> decided.stream().allMatch(request -> {
            PaymentState state = paymentState(request.getPaymentId());
            return state != null && state.getStatus() != PaymentStatus.ACCEPTED;
        }));
        assertThat(forgedRequests).as("globex's forged requests").isNotEmpty().allSatisfy(request -> {
            if (isRandom(request.getPaymentId())) {
                assertThat(reasonOf(request)).as(request.getReference()).isEqualTo(RejectionReason.NOT_PERMITTED);
            }
        });
        // The squatted ids were the load's own: each of those payments ended as its request asked, once.
        assertThat(load).allSatisfy(request -> assertThat(paymentState(request.getPaymentId()).getAmount())
                .isEqualTo(request.getAmount()));
        assertLedgerInvariants();
    }

    /**
     * Sends forged records as globex and mallory until the load is decided (at least one round, at most 200): each
     * topic that may not take them must refuse them, and globex's own topic takes requests that must move nothing.
     */
    private static void forge(List<String> accounts, List<PaymentRequest> load, AtomicBoolean loadDone,
            List<PaymentRequest> forgedRequests, AtomicInteger refusals, List<String> leaks) throws Exception {
        String globexAccount = accounts.get(accounts.size() - 1);
        try (KafkaProducer<String, byte[]> globex = hostileProducer("globex");
                KafkaProducer<String, byte[]> mallory = hostileProducer("mallory")) {
            for (int round = 0; round < 200 && (round == 0 || !loadDone.get()); round++) {
                String victim = accounts.get(round % (accounts.size() - 1));
                byte[] credit = Topics.LEDGER.valueSerde().serializer().serialize(Topics.LEDGER.name(),
                        aLeg(LedgerCommandType.CREDIT, PaymentType.TOPUP, null, globexAccount, 1_000_000).build());
                byte[] freeze = Topics.ACCOUNT_REQUESTS.valueSerde().serializer().serialize(
                        Topics.ACCOUNT_REQUESTS.name(), anAccountRequest(AccountCommandType.FREEZE, victim).build());
                byte[] topUp = Topics.PAYMENT_REQUESTS.valueSerde().serializer().serialize(
                        Topics.PAYMENT_REQUESTS.name(), aTopUp(globexAccount, 1_000_000).build());
                // The value's shape does not matter to the broker; each topic gets one that would hurt there.
                Map<String, byte[]> forbidden = Map.of(Topics.LEDGER.name(), credit, Topics.PAYMENT_EVENTS.name(),
                        credit, Topics.AUDIT.name(), credit, Topics.NOTIFICATIONS.name(), credit,
                        Topics.ACCOUNT_REQUESTS.name(), freeze, Topics.PAYMENT_REQUESTS.name(), topUp,
                        Topics.PAYMENT_ACTIONS.name(), topUp);
                for (Map.Entry<String, byte[]> target : forbidden.entrySet()) {
                    for (Map.Entry<String, KafkaProducer<String, byte[]>> sender : Map.of("globex", globex,
                            "mallory", mallory).entrySet()) {
                        expectRefused(sender, target.getKey(), victim, target.getValue(), refusals, leaks);
                    }
                }
                List<PaymentRequest> requests = List.of(
                        direct(aTransfer(victim, globexAccount, 100).setReference("theft " + round)),
                        direct(aTopUp(globexAccount, 1_000_000).setReference("mint " + round)),
                        PaymentRequest.newBuilder(direct(aWithdrawal(victim, 100).setReference("claim " + round)))
                                .setClientId("acl-tenant").build(),
                        // A predictable id that a later load request uses: the intake must not let globex take it.
                        PaymentRequest.newBuilder(direct(aWithdrawal(globexAccount, 1)))
                                .setPaymentId(load.get(load.size() - 1 - round).getPaymentId())
                                .setReference("squat " + round).build());
                for (PaymentRequest request : requests) {
                    globex.send(new ProducerRecord<>(GLOBEX_REQUESTS.name(), request.getPaymentId(),
                            GLOBEX_REQUESTS.valueSerde().serializer().serialize(GLOBEX_REQUESTS.name(), request)))
                            .get();
                    forgedRequests.add(request);
                }
                expectRefused(Map.entry("mallory", mallory), GLOBEX_REQUESTS.name(), victim, topUp, refusals, leaks);
            }
        }
    }

    private static void expectRefused(Map.Entry<String, KafkaProducer<String, byte[]>> sender, String topic,
            String key, byte[] value, AtomicInteger refusals, List<String> leaks) throws InterruptedException {
        try {
            sender.getValue().send(new ProducerRecord<>(topic, key, value)).get();
            leaks.add(sender.getKey() + " wrote " + topic);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                refusals.incrementAndGet();
            } else {
                leaks.add(sender.getKey() + " writing " + topic + " failed otherwise: " + e.getCause());
            }
        }
    }

    /** A plain (not idempotent) producer: one that may write nothing cannot even get a producer id. */
    private static KafkaProducer<String, byte[]> hostileProducer(String user) {
        Properties properties = producerProperties(user);
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        properties.put(ProducerConfig.ACKS_CONFIG, "1");
        properties.put(ProducerConfig.RETRIES_CONFIG, 0);
        // A refused topic's metadata is asked for again on every send, after a back-off that grows to 1 s by default.
        properties.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5);
        properties.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 20);
        return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    private static <V> KafkaProducer<String, V> producer(String user, Topic<String, V> topic) {
        return new KafkaProducer<>(producerProperties(user), topic.keySerde().serializer(),
                topic.valueSerde().serializer());
    }

    private static Properties producerProperties(String user) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        properties.putAll(kafka.clientProperties(user));
        return properties;
    }

    private static boolean isRandom(String paymentId) {
        return paymentId.charAt(14) == '4';
    }

    /** Every invariant over the whole broker: every account, every event, the whole journal. */
    private static void assertLedgerInvariants() throws Exception {
        List<AccountState> accounts = new ArrayList<>();
        try (KeyValueIterator<String, AccountState> all = streams().store(StoreQueryParameters.fromNameAndType(
                LedgerTopology.ACCOUNTS_STORE, QueryableStoreTypes.<String, AccountState>keyValueStore())).all()) {
            all.forEachRemaining(entry -> accounts.add(entry.value));
        }
        long movements = accounts.stream().mapToLong(AccountState::getEntrySeq).sum();
        try (var events = kafka.reader(Topics.PAYMENT_EVENTS); var audits = kafka.reader(Topics.AUDIT)) {
            List<AuditRecord> journal = new ArrayList<>();
            await().atMost(SETTLE).until(() -> {
                journal.clear();
                journal.addAll(audits.values());
                return journal.stream().filter(a -> a.getKind() == AuditKind.DEBIT || a.getKind() == AuditKind.CREDIT
                        || a.getKind() == AuditKind.REVERSAL).count() >= movements;
            });
            // Every payment has ended by now: read the events until a poll brings nothing new.
            List<PaymentEvent> allEvents = new ArrayList<>();
            await().atMost(SETTLE).until(() -> {
                int before = allEvents.size();
                allEvents.clear();
                allEvents.addAll(events.values());
                return before > 0 && allEvents.size() == before;
            });
            assertThat(LedgerInvariants.violations(allEvents, journal, accounts, paymentId -> {
                PaymentState state = paymentState(paymentId);
                return state == null ? null : state.getStatus();
            })).as("ledger invariant violations").isEmpty();
        }
    }

    private static PaymentRequest direct(PaymentRequest.Builder request) {
        return request.setClientId("globex").setPaymentId(UUID.randomUUID().toString()).build();
    }

    private static RejectionReason reasonOf(PaymentRequest request) {
        PaymentState state = paymentState(request.getPaymentId());
        return state == null ? null : state.getReason();
    }

    private static PaymentState paymentState(String paymentId) {
        return streams().store(StoreQueryParameters.fromNameAndType(PaymentStatusTopology.PAYMENTS_STORE,
                QueryableStoreTypes.<String, PaymentState>keyValueStore())).get(paymentId);
    }

    @Test
    void aPrincipalWithTheWrongSecretIsNotLetIn() {
        Properties properties = producerProperties("globex");
        properties.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"globex\" password=\"not-globex-secret\";");
        assertThat(properties.get("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        PaymentRequest request = direct(aTopUp("globex-x", 1));
        try (KafkaProducer<String, PaymentRequest> producer = new KafkaProducer<>(properties,
                GLOBEX_REQUESTS.keySerde().serializer(), GLOBEX_REQUESTS.valueSerde().serializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(GLOBEX_REQUESTS.name(),
                    request.getPaymentId(), request)).get())
                    .hasRootCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
        }
    }

    @Test
    void aConsumerWithReadAccessReadsTheJournal() throws Exception {
        String accountId = "acl-read-" + UUID.randomUUID().toString().substring(0, 8);
        send("ingress", Topics.ACCOUNT_REQUESTS, accountId, anOpen(accountId, "EUR", AccountType.CUSTOMER).build());
        await().atMost(SETTLE).until(() -> account(accountId) != null);

        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "auditors");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.putAll(kafka.clientProperties("auditor"));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.AUDIT.name()));
            List<String> seen = new ArrayList<>();
            await().atMost(SETTLE).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> seen.add(Topics.AUDIT.valueSerde()
                        .deserializer().deserialize(Topics.AUDIT.name(), record.value()).getAccountId()));
                return seen.contains(accountId);
            });
        }
    }
}
