package io.paystream.processor.replay;

import io.paystream.processor.kafka.StreamsProperties;
import io.paystream.processor.ledger.LedgerTopology;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.processor.status.PaymentStatusTopology;
import io.paystream.processor.topology.PaymentsTopology;
import io.paystream.schemas.Topic;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.serde.AvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Replay before deploy: runs this build's topology under a shadow application id over the retained requests, from
 * their start, and compares each account's balance and each payment's status with the live ones.
 *
 * <p>The shadow works entirely under its prefix ({@code <shadow id>.<topic>}): it reads copies of the live request
 * topics (the acquirer's answers among them, which are inputs too) and writes its own ledger loop, events, journal,
 * notifications, card charges and balance events, so a replay never charges a card or sends a webhook, and touches no
 * live topic. The copies are made in time order, in waves: requests closer than {@value #WAVE_GAP_MS} ms go together,
 * and the next wave waits until the shadow decided the last one, so a request that a client sent after seeing an
 * earlier answer is decided after it, as it was live. Requests that were in flight together live may be decided in
 * another order (their interleaving was a race live too), and a hold that expired on a TICK while its partition was
 * quiet may expire at another moment; the report names every account and payment that differs, whatever the cause.
 * Both sides are read from the stores' changelogs (the live application's and the shadow's), read_committed.
 */
public final class Replay {
    /** The request topics the topology reads, besides the direct producers' own. */
    public static final List<String> REQUEST_TOPICS = List.of(Topics.PAYMENT_REQUESTS.name(),
            Topics.PAYMENT_BATCHES.name(), Topics.PAYMENT_ACTIONS.name(), Topics.ACCOUNT_REQUESTS.name(),
            Topics.ACQUIRER_RESULTS.name());

    /** The shadow's topics and state are removed afterwards, unless asked to keep them. */
    private final boolean keep;
    private final Map<String, String> kafka;
    private final String liveApplicationId;
    private final PaymentsTopology.Settings settings;
    private final List<String> inputs;
    private final short replicationFactor;
    private final Duration timeout;

    /**
     * @param kafka the Kafka client properties (bootstrap servers, security)
     * @param liveApplicationId the live processor's application id, whose stores' changelogs are compared
     * @param settings the topology's settings for the shadow: the live ones, or deliberately changed ones
     * @param inputs the request topics the topology reads (direct producers' included)
     * @param replicationFactor the shadow topics' replication
     * @param timeout how long the shadow may take to catch up
     * @param keep whether to leave the shadow's topics in place for a closer look
     */
    public Replay(Map<String, String> kafka, String liveApplicationId, PaymentsTopology.Settings settings,
            List<String> inputs, short replicationFactor, Duration timeout, boolean keep) {
        this.kafka = Map.copyOf(kafka);
        this.liveApplicationId = Objects.requireNonNull(liveApplicationId, "liveApplicationId");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.inputs = List.copyOf(inputs);
        this.replicationFactor = replicationFactor;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.keep = keep;
    }

    /**
     * What a replay found.
     *
     * @param shadowApplicationId the shadow's application id, the prefix of its topics
     * @param requests how many request records it replayed
     * @param accounts how many accounts it compared
     * @param payments how many payments it compared
     * @param differences one sentence per account or payment decided otherwise; empty when history replays exactly
     */
    public record Report(String shadowApplicationId, long requests, int accounts, int payments,
            List<String> differences) {
    }

    /** The topics the shadow writes, under its prefix (it creates them, with the live ledger's partition count). */
    private static final List<Topic<?, ?>> WRITTEN = List.of(Topics.LEDGER, Topics.PAYMENT_EVENTS, Topics.AUDIT,
            Topics.NOTIFICATIONS, Topics.DEAD_LETTERS, Topics.ACQUIRER_REQUESTS, Topics.BALANCE_EVENTS);
    /**
     * Requests closer in time than this were in flight together live, and go to the shadow together; a later one waits
     * until the shadow has decided them. Twice the live commit interval: a client that waited for an answer before
     * asking again left at least that much.
     */
    private static final long WAVE_GAP_MS = 200;

    /**
     * Copies the requests there are now into the shadow's own request topics, in time order and in waves, runs the
     * shadow until it has decided each wave, compares, and cleans up.
     */
    public Report run() throws Exception {
        String shadow = "paystream-replay-" + Instant.now().getEpochSecond() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        String prefix = shadow + ".";
        Path stateDir = Files.createTempDirectory(shadow);
        try (Admin admin = Admin.create(adminProperties())) {
            java.util.Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            Map<String, org.apache.kafka.clients.admin.TopicDescription> live = admin.describeTopics(
                    new ArrayList<>(java.util.stream.Stream.concat(java.util.stream.Stream.of(Topics.LEDGER.name()),
                            inputs.stream().filter(topics::contains)).toList()))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            int partitions = live.get(Topics.LEDGER.name()).partitions().size();
            List<NewTopic> shadows = new ArrayList<>();
            for (Topic<?, ?> written : WRITTEN) {
                shadows.add(new NewTopic(prefix + written.name(), partitions, replicationFactor));
            }
            List<String> existing = inputs.stream().filter(live::containsKey).toList();
            existing.forEach(name -> shadows.add(new NewTopic(prefix + name, live.get(name).partitions().size(),
                    replicationFactor)));
            admin.createTopics(shadows).all().get(30, TimeUnit.SECONDS);
            List<ConsumerRecord<byte[], byte[]>> requests = requestsInTimeOrder(ends(admin, existing));
            Properties properties = StreamsProperties.build(kafka, new StreamsProperties.Settings(shadow,
                    stateDir.toString(), 100, 0, 1, replicationFactor, null, null),
                    new PaymentMetrics(new SimpleMeterRegistry()));
            properties.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, prefix + Topics.DEAD_LETTERS.name());
            KafkaStreams streams = new KafkaStreams(PaymentsTopology.build(
                    new PaymentMetrics(new SimpleMeterRegistry()), settings, partitions, prefix), properties);
            List<String> loops = List.of(prefix + Topics.LEDGER.name(), prefix + Topics.PAYMENT_EVENTS.name());
            List<String> copies = existing.stream().map(name -> prefix + name).toList();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                streams.start();
                int next = 0;
                while (next < requests.size()) {
                    int end = next + 1;
                    while (end < requests.size()
                            && requests.get(end).timestamp() - requests.get(end - 1).timestamp() < WAVE_GAP_MS) {
                        end++;
                    }
                    List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                    for (ConsumerRecord<byte[], byte[]> request : requests.subList(next, end)) {
                        sent.add(producer.send(new ProducerRecord<>(prefix + request.topic(), request.partition(),
                                request.timestamp(), request.key(), request.value(), request.headers())));
                    }
                    for (java.util.concurrent.Future<?> acknowledged : sent) {
                        acknowledged.get(30, TimeUnit.SECONDS);
                    }
                    awaitDecided(admin, shadow, copies, loops);
                    next = end;
                }
                awaitDecided(admin, shadow, copies, loops);
            } finally {
                streams.close(org.apache.kafka.streams.CloseOptions.timeout(Duration.ofSeconds(30))
                        .withGroupMembershipOperation(
                                org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
                streams.cleanUp();
            }
            List<String> differences = new ArrayList<>();
            Map<String, AccountState> liveAccounts = latest(changelog(liveApplicationId, LedgerTopology.ACCOUNTS_STORE),
                    AvroSerde.of(AccountState.class)::deserialize);
            Map<String, AccountState> replayedAccounts = latest(changelog(shadow, LedgerTopology.ACCOUNTS_STORE),
                    AvroSerde.of(AccountState.class)::deserialize);
            compare("account", liveAccounts, replayedAccounts, Replay::describe, differences);
            Map<String, PaymentState> livePayments = latest(changelog(liveApplicationId,
                    PaymentStatusTopology.PAYMENTS_STORE), AvroSerde.of(PaymentState.class)::deserialize);
            Map<String, PaymentState> replayedPayments = latest(changelog(shadow,
                    PaymentStatusTopology.PAYMENTS_STORE), AvroSerde.of(PaymentState.class)::deserialize);
            compare("payment", livePayments, replayedPayments, Replay::describe, differences);
            if (!keep) {
                deleteShadow(admin, shadow);
            }
            return new Report(shadow, requests.size(), union(liveAccounts, replayedAccounts).size(),
                    union(livePayments, replayedPayments).size(), differences);
        }
    }

    /** Every request up to {@code cut}, read_committed, oldest first (ties in topic order). */
    private List<ConsumerRecord<byte[], byte[]>> requestsInTimeOrder(Map<TopicPartition, Long> cut) {
        List<ConsumerRecord<byte[], byte[]>> requests = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>(cut.keySet());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < cut.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the requests to " + cut + " in " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < cut.get(new TopicPartition(record.topic(), record.partition()))) {
                        requests.add(record);
                    }
                }
            }
        }
        requests.sort(java.util.Comparator.comparingLong(ConsumerRecord<byte[], byte[]>::timestamp));
        return requests;
    }

    private static String changelog(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
    }

    private static String describe(AccountState account) {
        return "balance " + account.getBalance() + ", held " + account.getHeld() + ", " + account.getStatus()
                + ", entrySeq " + account.getEntrySeq();
    }

    private static String describe(PaymentState payment) {
        return payment.getStatus() + (payment.getReason() == null ? "" : " (" + payment.getReason() + ")");
    }

    private static <V> void compare(String noun, Map<String, V> live, Map<String, V> replayed,
            Function<V, String> describe, List<String> differences) {
        for (String key : new TreeSet<>(union(live, replayed))) {
            String was = live.containsKey(key) ? describe.apply(live.get(key)) : "none";
            String now = replayed.containsKey(key) ? describe.apply(replayed.get(key)) : "none";
            if (!was.equals(now)) {
                differences.add(noun + " " + key + ": live " + was + "; replayed " + now);
            }
        }
    }

    private static java.util.Set<String> union(Map<String, ?> first, Map<String, ?> second) {
        java.util.Set<String> keys = new java.util.HashSet<>(first.keySet());
        keys.addAll(second.keySet());
        return keys;
    }

    /**
     * Waits until the shadow has committed everything written to its request copies and its own loops (ledger,
     * events), twice in a row 200 ms apart: it has decided every request it was given, and everything that followed
     * from them. An offset one short of the end is enough when the last entry is a transaction marker, which no
     * consumer commits past.
     */
    private void awaitDecided(Admin admin, String shadow, List<String> copies, List<String> loops) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> topics = new ArrayList<>(copies);
        topics.addAll(loops);
        int steady = 0;
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            while (steady < 2) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the shadow " + shadow + " did not decide its requests in "
                            + timeout + "; is the broker reachable?");
                }
                TimeUnit.MILLISECONDS.sleep(200);
                Map<TopicPartition, Long> targets = ends(admin, topics);
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(shadow)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                boolean decided = targets.entrySet().stream().allMatch(target -> {
                    OffsetAndMetadata offset = committed.get(target.getKey());
                    long position = offset == null ? 0 : offset.offset();
                    return position >= target.getValue() || (position == target.getValue() - 1
                            && noRecordAt(probe, target.getKey(), position));
                });
                steady = decided ? steady + 1 : 0;
            }
        }
    }

    private static boolean noRecordAt(KafkaConsumer<byte[], byte[]> probe, TopicPartition partition, long offset) {
        probe.assign(List.of(partition));
        probe.seek(partition, offset);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (probe.position(partition) <= offset && System.nanoTime() < deadline) {
            if (!probe.poll(Duration.ofMillis(200)).isEmpty()) {
                return false;
            }
        }
        return probe.position(partition) > offset;
    }

    private static Map<TopicPartition, Long> ends(Admin admin, List<String> topics) throws Exception {
        if (topics.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, description) ->
                description.partitions().forEach(partition ->
                        request.put(new TopicPartition(name, partition.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
        admin.listOffsets(request, new org.apache.kafka.clients.admin.ListOffsetsOptions(
                IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS)
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    /** The last value of every key of {@code topic}, read_committed from its start to its end; tombstones remove. */
    private <V> Map<String, V> latest(String topic, java.util.function.BiFunction<String, byte[], V> decode)
            throws Exception {
        Map<String, V> values = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end in " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    String key = new String(record.key(), StandardCharsets.UTF_8);
                    if (record.value() == null) {
                        values.remove(key);
                    } else {
                        values.put(key, decode.apply(topic, record.value()));
                    }
                }
            }
        }
        return values;
    }

    private void deleteShadow(Admin admin, String shadow) throws Exception {
        List<String> mine = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(name -> name.startsWith(shadow + ".") || name.startsWith(shadow + "-")).toList();
        admin.deleteTopics(mine).all().get(60, TimeUnit.SECONDS);
        admin.deleteConsumerGroups(List.of(shadow)).all().get(30, TimeUnit.SECONDS);
    }

    private Properties adminProperties() {
        Properties properties = new Properties();
        properties.putAll(kafka);
        properties.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        return properties;
    }

    private Properties producerProperties() {
        Properties properties = new Properties();
        properties.putAll(kafka);
        properties.put(org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all");
        properties.put(org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return properties;
    }

    private Properties consumerProperties() {
        Properties properties = new Properties();
        properties.putAll(kafka);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return properties;
    }
}
