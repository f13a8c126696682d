package io.paystream.processor.kafka;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micrometer.core.instrument.MeterRegistry;
import io.paystream.processor.topology.PaymentsTopology;
import io.paystream.processor.ledger.AccountQuota;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.processor.stats.StatsScopes;
import io.paystream.processor.intake.DirectProducerFactory;
import io.paystream.schemas.Topic;
import io.paystream.schemas.Topics;
import io.paystream.web.auth.ApiClient;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code streams:} block of the processor's YAML: how Kafka Streams runs and how topics are created. Builds the
 * {@link ManagedKafkaStreams} that the application manages.
 */
public class StreamsFactory {
    /** Streams' own default of 30 s would double end-to-end latency; 100 ms keeps it low at a modest commit rate. */
    private static final long DEFAULT_COMMIT_INTERVAL_MS = 100;
    /** The co-partitioned topics' partition count by default: enough for a dozen instances. */
    private static final int DEFAULT_PARTITIONS = 12;

    @NotBlank
    private String applicationId = "paystream-processor";

    @NotBlank
    private String stateDir = ".paystream/state/processor";

    @Min(1)
    private long commitIntervalMs = DEFAULT_COMMIT_INTERVAL_MS;

    /** One warm copy of every store, so that when an instance dies another can serve and resume at once. */
    @Min(0)
    @Max(3)
    private int standbyReplicas = 1;

    @Min(1)
    @Max(16)
    private int streamThreads = 1;

    /** host:port of this instance's query API, advertised to the other instances so they can forward queries. */
    @NotBlank
    @jakarta.validation.constraints.Pattern(regexp = "[^:]+:[0-9]{1,5}", message = "must be host:port")
    private String applicationServer = "127.0.0.1:8090";

    /**
     * This instance's static member name in the group ({@code group.instance.id}), or blank for a dynamic member. A
     * static member that restarts within the session timeout gets its tasks back without a rebalance; one that dies
     * keeps them until its supervisor removes it from the group (the local launcher does at once) or the session
     * times out. Each instance needs a name of its own, stable across its restarts.
     */
    @jakarta.validation.constraints.Pattern(regexp = "[A-Za-z0-9._-]{0,200}", message = "must be letters, digits, "
            + "'.', '_' or '-'")
    private String groupInstanceId = "";

    @Min(1)
    @Max(1_000)
    private int partitions = DEFAULT_PARTITIONS;

    @Min(1)
    @Max(5)
    private short replicationFactor = 1;

    /**
     * How long intake remembers a request's fingerprint, in stream time: a retry within it is told apart exactly from
     * a different request under the same id. After it, the payment's status answers (docs/processor.md).
     */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    private io.dropwizard.util.Duration idempotencyWindow = io.dropwizard.util.Duration.days(
            PaymentsTopology.DEFAULT_IDEMPOTENCY_WINDOW.toDays());

    /**
     * How long, in stream time, the payee's ledger task keeps a card top-up that has ended (credited, declined or
     * refunded) in {@code card-top-ups}; a repeated acquirer answer after that is dead-lettered instead of counted.
     */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.HOURS)
    private io.dropwizard.util.Duration cardTopUpRetention = io.dropwizard.util.Duration.days(
            PaymentsTopology.DEFAULT_CARD_TOP_UP_RETENTION.toDays());

    /**
     * How many accounts each client may open (closed ones count: their state is kept), unless {@code accountQuotas}
     * gives the client a number of its own. An OPEN beyond it is rejected with NOT_PERMITTED and journalled.
     */
    @Min(0)
    private long accountsPerClient = AccountQuota.DEFAULT_PER_CLIENT;

    /** Per-client exceptions to {@code accountsPerClient}, by client id. */
    @NotNull
    private Map<String, @Min(0) Long> accountQuotas = Map.of();

    /**
     * How long a stop waits for the open transaction to commit and the tasks to close before giving up (the
     * transaction then aborts, and the next owner replays it).
     */
    @NotNull
    private io.dropwizard.util.Duration closeTimeout = io.dropwizard.util.Duration.seconds(
            ManagedKafkaStreams.DEFAULT_CLOSE_TIMEOUT.toSeconds());

    @NotNull
    private io.dropwizard.util.Duration adminTimeout = io.dropwizard.util.Duration.seconds(30);

    /** Builds the managed Streams instance, without direct producers, with every payment in admin's stats only. */
    public ManagedKafkaStreams build(Map<String, String> kafka, PaymentMetrics metrics, MeterRegistry registry) {
        return build(kafka, metrics, registry, List.of(), StatsScopes.none(), PaymentRequestRules.HOLD_SECONDS_MIN);
    }

    /**
     * Builds the managed Streams instance from the YAML's Kafka client properties, this block, and the direct
     * producers, whose topics it creates co-partitioned with the ingress's request topic; {@code statsScopes} says
     * which clients' stats each payment counts in, and {@code minHoldSeconds} the shortest hold a manual capture may ask
     * for.
     */
    public ManagedKafkaStreams build(Map<String, String> kafka, PaymentMetrics metrics, MeterRegistry registry,
            List<DirectProducerFactory> directProducers, StatsScopes statsScopes, long minHoldSeconds) {
        Properties properties = StreamsProperties.build(kafka, new StreamsProperties.Settings(applicationId, stateDir,
                commitIntervalMs, standbyReplicas, streamThreads, replicationFactor, applicationServer,
                groupInstanceId), metrics);
        Map<String, ApiClient> direct = new TreeMap<>();
        List<Topic<?, ?>> directTopics = new ArrayList<>();
        for (DirectProducerFactory producer : directProducers) {
            direct.put(producer.topic().name(), producer.toClient());
            directTopics.add(producer.topic());
            directTopics.add(producer.batchTopic());
        }
        TopicProvisioner provisioner = new TopicProvisioner(concat(Topics.ALL, directTopics),
                concat(Topics.CO_PARTITIONED, directTopics), topicConfigs(directTopics), partitions,
                replicationFactor, adminTimeout.toJavaDuration());
        PaymentsTopology.Settings settings = topologySettings(direct, statsScopes, minHoldSeconds);
        return new ManagedKafkaStreams(partitionCount -> PaymentsTopology.build(metrics, settings, partitionCount),
                properties, provisioner, registry, closeTimeout.toJavaDuration());
    }

    private PaymentsTopology.Settings topologySettings(Map<String, ApiClient> direct, StatsScopes statsScopes,
            long minHoldSeconds) {
        return new PaymentsTopology.Settings(direct, idempotencyWindow.toJavaDuration(),
                cardTopUpRetention.toJavaDuration(), new AccountQuota(accountsPerClient, accountQuotas),
                minHoldSeconds, statsScopes);
    }

    /**
     * The topology's settings as {@link #build} gives them to the live processor: what a replay of its history runs
     * with.
     */
    public PaymentsTopology.Settings topologySettings(List<DirectProducerFactory> directProducers,
            StatsScopes statsScopes, long minHoldSeconds) {
        Map<String, ApiClient> direct = new TreeMap<>();
        directProducers.forEach(producer -> direct.put(producer.topic().name(), producer.toClient()));
        return topologySettings(direct, statsScopes, minHoldSeconds);
    }

    private static List<Topic<?, ?>> concat(List<Topic<?, ?>> first, List<Topic<?, ?>> second) {
        List<Topic<?, ?>> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** Topic-level configs for topics the processor creates. */
    Map<String, Map<String, String>> topicConfigs() {
        return topicConfigs(List.of());
    }

    private Map<String, Map<String, String>> topicConfigs(List<Topic<?, ?>> directTopics) {
        Map<String, String> durable = new HashMap<>();
        // With three or more replicas, a write must reach two before it counts, so one broker loss loses nothing.
        if (replicationFactor >= 3) {
            durable.put("min.insync.replicas", "2");
        }
        Map<String, Map<String, String>> configs = new HashMap<>();
        Topics.ALL.forEach(topic -> configs.put(topic.name(), Map.copyOf(durable)));
        // The requests, and the acquirer's answers, are what a replay re-decides history from (Replay): kept, like the
        // journal, for as long as the state they built.
        Map<String, String> requests = new HashMap<>(durable);
        requests.put("retention.ms", "-1");
        for (Topic<?, ?> topic : List.of(Topics.PAYMENT_REQUESTS, Topics.PAYMENT_BATCHES, Topics.PAYMENT_ACTIONS,
                Topics.ACCOUNT_REQUESTS)) {
            configs.put(topic.name(), Map.copyOf(requests));
        }
        Map<String, String> direct = new HashMap<>(requests);
        // A direct producer's clock is not trusted: the broker stamps its requests, and stream time follows the broker.
        direct.put("message.timestamp.type", "LogAppendTime");
        directTopics.forEach(topic -> configs.put(topic.name(), Map.copyOf(direct)));
        // Nor is the acquirer connector's: an answer's timestamp must not move stream time (holds, windows).
        configs.put(Topics.ACQUIRER_RESULTS.name(), Map.copyOf(direct));
        Map<String, String> journal = new HashMap<>(durable);
        // The audit topic is the journal that rebuilds every balance: it must never expire.
        journal.put("retention.ms", "-1");
        configs.put(Topics.AUDIT.name(), Map.copyOf(journal));
        Map<String, String> table = new HashMap<>(durable);
        // One registration per endpoint: compaction keeps the latest, and a tombstone deletes it.
        table.put("cleanup.policy", "compact");
        configs.put(Topics.WEBHOOK_ENDPOINTS.name(), Map.copyOf(table));
        return configs;
    }

    @JsonProperty
    public String getApplicationId() {
        return applicationId;
    }

    @JsonProperty
    public void setApplicationId(String applicationId) {
        this.applicationId = applicationId;
    }

    @JsonProperty
    public String getStateDir() {
        return stateDir;
    }

    @JsonProperty
    public void setStateDir(String stateDir) {
        this.stateDir = stateDir;
    }

    @JsonProperty
    public long getCommitIntervalMs() {
        return commitIntervalMs;
    }

    @JsonProperty
    public void setCommitIntervalMs(long commitIntervalMs) {
        this.commitIntervalMs = commitIntervalMs;
    }

    @JsonProperty
    public int getStandbyReplicas() {
        return standbyReplicas;
    }

    @JsonProperty
    public void setStandbyReplicas(int standbyReplicas) {
        this.standbyReplicas = standbyReplicas;
    }

    @JsonProperty
    public int getStreamThreads() {
        return streamThreads;
    }

    @JsonProperty
    public void setStreamThreads(int streamThreads) {
        this.streamThreads = streamThreads;
    }

    @JsonProperty
    public String getApplicationServer() {
        return applicationServer;
    }

    @JsonProperty
    public String getGroupInstanceId() {
        return groupInstanceId;
    }

    @JsonProperty
    public void setGroupInstanceId(String groupInstanceId) {
        this.groupInstanceId = groupInstanceId == null ? "" : groupInstanceId;
    }

    @JsonProperty
    public void setApplicationServer(String applicationServer) {
        this.applicationServer = applicationServer;
    }

    @JsonProperty
    public int getPartitions() {
        return partitions;
    }

    @JsonProperty
    public void setPartitions(int partitions) {
        this.partitions = partitions;
    }

    @JsonProperty
    public short getReplicationFactor() {
        return replicationFactor;
    }

    @JsonProperty
    public void setReplicationFactor(short replicationFactor) {
        this.replicationFactor = replicationFactor;
    }

    @JsonProperty
    public io.dropwizard.util.Duration getIdempotencyWindow() {
        return idempotencyWindow;
    }

    @JsonProperty
    public void setIdempotencyWindow(io.dropwizard.util.Duration idempotencyWindow) {
        this.idempotencyWindow = idempotencyWindow;
    }

    @JsonProperty
    public io.dropwizard.util.Duration getCloseTimeout() {
        return closeTimeout;
    }

    @JsonProperty
    public void setCloseTimeout(io.dropwizard.util.Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }

    @JsonProperty
    public long getAccountsPerClient() {
        return accountsPerClient;
    }

    @JsonProperty
    public void setAccountsPerClient(long accountsPerClient) {
        this.accountsPerClient = accountsPerClient;
    }

    @JsonProperty
    public Map<String, Long> getAccountQuotas() {
        return accountQuotas;
    }

    @JsonProperty
    public void setAccountQuotas(Map<String, Long> accountQuotas) {
        this.accountQuotas = accountQuotas;
    }

    @JsonProperty
    public io.dropwizard.util.Duration getCardTopUpRetention() {
        return cardTopUpRetention;
    }

    @JsonProperty
    public void setCardTopUpRetention(io.dropwizard.util.Duration cardTopUpRetention) {
        this.cardTopUpRetention = cardTopUpRetention;
    }

    @JsonProperty
    public io.dropwizard.util.Duration getAdminTimeout() {
        return adminTimeout;
    }

    @JsonProperty
    public void setAdminTimeout(io.dropwizard.util.Duration adminTimeout) {
        this.adminTimeout = adminTimeout;
    }
}
