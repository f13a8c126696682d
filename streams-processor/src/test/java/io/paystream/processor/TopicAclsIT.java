package io.paystream.processor;

import static io.paystream.processor.testing.Fixtures.aLeg;
import static io.paystream.processor.testing.Fixtures.aTopUp;
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
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.testing.InProcessKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The topics as a trust boundary, on a real broker with SASL/PLAIN principals and Kafka's StandardAuthorizer
 * (docs/security.md): the processor runs as its own principal with least privilege; the ingress principal may write only the request
 * topics; a direct producer ("mallory") only {@code payments.requests.v1}; an auditor may only read the journal. A
 * forged ledger CREDIT, a forged status event, a forged account command and a write to the journal are all refused
 * by the broker, and the ledger never sees them.
 */
class TopicAclsIT {
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final Map<String, String> USERS = Map.of("processor", "processor-secret", "ingress",
            "ingress-secret", "mallory", "mallory-secret", "auditor", "auditor-secret");

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
            for (String topic : List.of(Topics.PAYMENT_REQUESTS.name(), Topics.ACCOUNT_REQUESTS.name(),
                    Topics.LEDGER.name(), Topics.PAYMENT_EVENTS.name(), Topics.AUDIT.name(),
                    Topics.NOTIFICATIONS.name(), Topics.DEAD_LETTERS.name())) {
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
                    allow("mallory", ResourceType.TOPIC, Topics.PAYMENT_REQUESTS.name(), AclOperation.WRITE),
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
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        properties.putAll(kafka.clientProperties(user));
        try (KafkaProducer<K, V> producer = new KafkaProducer<>(properties, topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
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

        // What mallory may do: write a request, which the processor validates and applies like any other.
        PaymentRequest allowed = aTopUp(accountId, 7).build();
        send("mallory", Topics.PAYMENT_REQUESTS, allowed.getPaymentId(), allowed);
        await().atMost(SETTLE).until(() -> account(accountId).getBalance() == 507);
        assertThat(account(accountId).getStatus().toString()).isEqualTo("ACTIVE");
        assertThat(account(accountId).getEntrySeq()).as("two credits, nothing forged").isEqualTo(2);
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
