package io.paystream.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import io.paystream.schemas.Topic;

/**
 * A real single-node KRaft broker in this JVM (Kafka's own test kit), set up for exactly-once on one node, plus the
 * plain clients tests need: an idempotent {@code acks=all} producer and {@code read_committed} consumers.
 */
public final class InProcessKafka implements AutoCloseable {
    /** The secured broker's built-in super user (Kafka's test kit); the helpers below connect as it. */
    public static final String ADMIN_USER = "plain-admin";
    private static final String SCRAM = "SCRAM-SHA-512";
    private static final String ADMIN_PASSWORD = "plain-admin-secret";

    private final KafkaClusterTestKit cluster;
    /** SASL/PLAIN passwords by user on a secured broker; empty on a plain one. */
    private final Map<String, String> users;

    private InProcessKafka(KafkaClusterTestKit cluster, Map<String, String> users) {
        this.cluster = cluster;
        this.users = users;
    }

    /** Formats and starts a combined broker+controller node and waits until it serves requests. */
    public static InProcessKafka start() throws Exception {
        return start(new TestKitNodes.Builder(), Map.of(), Map.of());
    }

    /**
     * The same node with SASL authentication and Kafka's {@code StandardAuthorizer}: every client needs one of
     * {@code users} (name to password), nothing is allowed without an ACL ({@code allow.everyone.if.no.acl.found}
     * is false), and {@link #ADMIN_USER} plus {@code superUsers} may do anything. The users authenticate with
     * SCRAM-SHA-512, as in production (docs/security.md): their salted credentials live in the cluster's metadata,
     * created here through the admin API. {@link #ADMIN_USER}, the test kit's own, uses PLAIN, which the broker also
     * offers for it.
     */
    public static InProcessKafka startSecured(Map<String, String> users, String... superUsers) throws Exception {
        Map<String, String> all = new java.util.LinkedHashMap<>(users);
        all.put(ADMIN_USER, ADMIN_PASSWORD);
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN_USER
                + "\" password=\"" + ADMIN_PASSWORD + "\" user_" + ADMIN_USER + "=\"" + ADMIN_PASSWORD + "\";";
        StringBuilder supers = new StringBuilder("User:" + ADMIN_USER);
        for (String user : superUsers) {
            supers.append(";User:").append(user);
        }
        InProcessKafka kafka = start(new TestKitNodes.Builder()
                        .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                        .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT),
                Map.of("listener.name.external.plain.sasl.jaas.config", jaas,
                        "listener.name.external.sasl.enabled.mechanisms", "PLAIN," + SCRAM,
                        "listener.name.external.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                        "super.users", supers.toString()), all);
        List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> credentials = new ArrayList<>();
        users.forEach((user, password) -> credentials.add(
                new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(user,
                        new org.apache.kafka.clients.admin.ScramCredentialInfo(
                                org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 4096), password)));
        try (org.apache.kafka.clients.admin.Admin admin = kafka.cluster.admin()) {
            admin.alterUserScramCredentials(credentials).all().get();
        }
        return kafka;
    }

    private static InProcessKafka start(TestKitNodes.Builder nodes, Map<String, String> extra,
            Map<String, String> users) throws Exception {
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build());
        extra.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder
                // One broker: the offsets and transaction-state topics can only have one replica.
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                // Tests start one consumer group at a time; waiting 3 s for more members only slows them down.
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new InProcessKafka(cluster, Map.copyOf(users));
    }

    /**
     * What a client needs to connect as {@code user} on a secured broker (SASL/SCRAM), or nothing on a plain one. The
     * keys are Kafka client properties; the processor takes them under its {@code kafka:} block.
     */
    public Map<String, String> clientProperties(String user) {
        if (users.isEmpty()) {
            return Map.of();
        }
        String password = users.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no user " + user + " on this broker");
        }
        if (user.equals(ADMIN_USER)) {
            return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                            + "\" password=\"" + password + "\";");
        }
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", SCRAM, "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                        + "\" password=\"" + password + "\";");
    }

    private Properties properties() {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.putAll(clientProperties(ADMIN_USER));
        return properties;
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public org.apache.kafka.clients.admin.Admin admin() {
        return cluster.admin();
    }

    /** Creates topics with the given partition count and one replica. */
    public void createTopics(int partitions, String... names) throws Exception {
        cluster.admin().createTopics(java.util.Arrays.stream(names)
                .map(name -> new org.apache.kafka.clients.admin.NewTopic(name, partitions, (short) 1)).toList())
                .all().get();
    }

    /** How many records {@code topic} holds: the sum of its partitions' end offsets (nothing is deleted in tests). */
    public long endOffsetSum(String topic) throws Exception {
        var partitions = cluster.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .stream().map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                .collect(java.util.stream.Collectors.toMap(tp -> tp,
                        tp -> org.apache.kafka.clients.admin.OffsetSpec.latest()));
        return cluster.admin().listOffsets(partitions).all().get().values().stream()
                .mapToLong(org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    }

    /** Writes records with an idempotent, acks=all producer and waits for every acknowledgement. */
    public <K, V> void produce(Topic<K, V> topic, List<Map.Entry<K, V>> records) throws Exception {
        try (KafkaProducer<K, V> producer = idempotentProducer(topic)) {
            for (Map.Entry<K, V> record : records) {
                producer.send(new ProducerRecord<>(topic.name(), record.getKey(), record.getValue())).get();
            }
        }
    }

    /**
     * Writes records with an idempotent, acks=all producer without waiting for each acknowledgement in turn (the
     * producer batches them), then waits for all of them: the way to write a load of thousands.
     */
    public <K, V> void produceAll(Topic<K, V> topic, List<Map.Entry<K, V>> records) throws Exception {
        try (KafkaProducer<K, V> producer = idempotentProducer(topic)) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>(records.size());
            for (Map.Entry<K, V> record : records) {
                sent.add(producer.send(new ProducerRecord<>(topic.name(), record.getKey(), record.getValue())));
            }
            producer.flush();
            for (java.util.concurrent.Future<?> acknowledgement : sent) {
                acknowledgement.get();
            }
        }
    }

    private <K, V> KafkaProducer<K, V> idempotentProducer(Topic<K, V> topic) {
        Properties properties = properties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(properties, topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    /** Writes raw bytes, as a broken producer would. */
    public void produceRaw(String topic, byte[] key, byte[] value) throws Exception {
        Properties properties = properties();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /** A read_committed consumer from the start of {@code topic}, in a fresh group. */
    public <K, V> Reader<K, V> reader(Topic<K, V> topic) {
        Properties properties = properties();
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic.name()));
        return new Reader<>(consumer, topic);
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the broker", e);
        }
    }

    /** Accumulates what a read_committed consumer has seen; poll it inside an Awaitility condition. */
    public static final class Reader<K, V> implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Topic<K, V> topic;
        private final List<ConsumerRecord<byte[], byte[]>> raw = new ArrayList<>();

        Reader(KafkaConsumer<byte[], byte[]> consumer, Topic<K, V> topic) {
            this.consumer = consumer;
            this.topic = topic;
        }

        /** Polls once (bounded) and returns every value seen so far. */
        public List<V> values() {
            poll();
            return raw.stream().map(r -> topic.valueSerde().deserializer().deserialize(topic.name(), r.value()))
                    .toList();
        }

        /**
         * Polls until every partition is read up to its end as of this call (its last stable offset, under
         * read_committed), bounded by {@code timeout}, and returns every value seen: a whole topic, for checks on a
         * quiet pipeline.
         */
        public List<V> valuesToEnd(java.time.Duration timeout) {
            java.time.Instant deadline = java.time.Instant.now().plus(timeout);
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(info -> new org.apache.kafka.common.TopicPartition(info.topic(), info.partition())).toList();
            java.util.Map<org.apache.kafka.common.TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (!atEnd(ends)) {
                if (java.time.Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + topic.name() + " to its end in " + timeout);
                }
                poll();
            }
            return values();
        }

        private boolean atEnd(java.util.Map<org.apache.kafka.common.TopicPartition, Long> ends) {
            if (!consumer.assignment().containsAll(ends.keySet())) {
                return false;
            }
            return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
        }

        /** Polls once (bounded) and returns every raw record seen so far. */
        public List<ConsumerRecord<byte[], byte[]>> records() {
            poll();
            return List.copyOf(raw);
        }

        private void poll() {
            consumer.poll(java.time.Duration.ofMillis(200)).forEach(raw::add);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
