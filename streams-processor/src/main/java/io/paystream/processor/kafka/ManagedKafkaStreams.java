package io.paystream.processor.kafka;

import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.IntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the topology in a {@link KafkaStreams} instance for the lifetime of the Dropwizard application. On start it
 * provisions the topics, then starts Streams; on stop it closes Streams, which commits or aborts the open transaction.
 * The local state is never wiped on a normal start.
 */
public final class ManagedKafkaStreams implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedKafkaStreams.class);
    /** Long enough for an in-flight transaction to commit and tasks to close cleanly on a healthy cluster. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** The admin client only provisions topics; nothing it has left to send is worth waiting for. */
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /** A few replacements ride out broker restarts; more within the window means a thread keeps hitting a bug. */
    private static final int REPLACEMENTS_MAX = 5;
    private static final Duration REPLACEMENT_WINDOW = Duration.ofMinutes(10);

    private final java.util.ArrayDeque<Long> replacements = new java.util.ArrayDeque<>();
    private final IntFunction<Topology> topology;
    private final Properties properties;
    private final TopicProvisioner provisioner;
    private final MeterRegistry registry;
    private final Duration closeTimeout;
    private final RestoreTracker restores = new RestoreTracker();
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;

    /**
     * @param topology builds the topology for the partition count that the provisioner found
     * @param closeTimeout how long a stop waits for the open transaction and the tasks to close
     */
    public ManagedKafkaStreams(IntFunction<Topology> topology, Properties properties, TopicProvisioner provisioner,
            MeterRegistry registry, Duration closeTimeout) {
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.topology = Objects.requireNonNull(topology, "topology");
        this.properties = Objects.requireNonNull(properties, "properties");
        this.provisioner = Objects.requireNonNull(provisioner, "provisioner");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void start() {
        Admin admin = Admin.create(adminProperties());
        int partitions;
        try {
            partitions = provisioner.ensure(admin);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot prepare the topics on Kafka at "
                    + properties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + ": " + e.getMessage(), e);
        } finally {
            // Bounded: with the broker unreachable, an unbounded close would wait for requests that never finish.
            admin.close(ADMIN_CLOSE_TIMEOUT);
        }
        KafkaStreams started = new WithoutUncommittedBytes(topology.apply(partitions), properties);
        started.setUncaughtExceptionHandler(this::onStreamThreadDeath);
        started.setStateListener((next, previous) -> LOG.info("kafka streams state {} -> {}", previous, next));
        started.setGlobalStateRestoreListener(restores);
        streamsMetrics = new KafkaStreamsMetrics(started);
        streamsMetrics.bindTo(registry);
        streams = started;
        started.start();
    }

    /**
     * A stream thread died. Transaction errors after a broker restart (for example InvalidTxnStateException when the
     * coordinator aborted the open transaction) are recoverable: a replacement thread fences the old producer, and
     * under exactly-once its tasks resume from the last committed offsets with their state restored, so nothing is
     * lost or applied twice. A thread that keeps dying is a bug, not a blip: past the budget, stop the client so the
     * health check fails and an operator (or the orchestrator) steps in.
     */
    private StreamThreadExceptionResponse onStreamThreadDeath(Throwable failure) {
        long now = System.currentTimeMillis();
        synchronized (replacements) {
            while (!replacements.isEmpty() && replacements.peekFirst() < now - REPLACEMENT_WINDOW.toMillis()) {
                replacements.removeFirst();
            }
            if (replacements.size() < REPLACEMENTS_MAX) {
                replacements.addLast(now);
                LOG.error("stream thread died; replacing it ({} of {} replacements allowed per {})",
                        replacements.size(), REPLACEMENTS_MAX, REPLACEMENT_WINDOW, failure);
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            }
        }
        LOG.error("stream threads keep dying; shutting down this Kafka Streams client", failure);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    @Override
    public void stop() {
        KafkaStreams running = streams;
        if (running != null) {
            // Leave the group at once so that another instance takes over this one's tasks now, from its standbys,
            // instead of after the session timeout: a clean stop should not cost 45 s of unavailability.
            running.close(CloseOptions.timeout(closeTimeout)
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
    }

    /** The running instance, for health checks and interactive queries; null before start. */
    public KafkaStreams streams() {
        return streams;
    }

    /** Whether a store of this instance is restoring from its changelog right now. */
    public boolean restoring() {
        return restores.restoring();
    }

    /** A count that moves whenever a restore of this instance starts, applies a batch, ends or is suspended. */
    public long restoreProgress() {
        return restores.progress();
    }

    /** The changelogs this instance is restoring and where each stands, for a stall's reason. */
    public String describeRestores() {
        return restores.describe();
    }

    /** The current state, or null before start. */
    public KafkaStreams.State state() {
        KafkaStreams running = streams;
        return running == null ? null : running.state();
    }

    private Properties adminProperties() {
        Properties admin = new Properties();
        for (Map.Entry<Object, Object> entry : properties.entrySet()) {
            if (AdminClientConfig.configNames().contains(String.valueOf(entry.getKey()))) {
                admin.put(entry.getKey(), entry.getValue());
            }
        }
        return admin;
    }

    /**
     * Kafka Streams without the transactional stores' {@code uncommitted-bytes} gauges in {@link #metrics()}.
     *
     * <p>In Kafka Streams 4.4.0 that gauge calls {@code WriteBatch.getDataSize()} on the store's native RocksDB write
     * batch, from whichever thread reads it. The stream thread frees that batch on every commit and when it closes
     * the store, so a read from any other thread can touch freed native memory. The processor JVM died twice that
     * way in {@code make bench}, with SIGSEGV in {@code WriteBatch.getDataSize}: both times on Micrometer's
     * {@code micrometer-kafka-metrics} thread, whose refresh calls {@code metricValue()} on every metric it is given
     * to decide what to register, before any {@code MeterFilter} can deny the meter. (A deny filter was the first
     * fix; it kept the gauge off the scrape but not out of that loop.) Hiding the gauge here keeps it from every
     * reader outside the stream thread: Micrometer, the stall watchdog, tests. Nothing inside Kafka Streams calls this
     * public accessor, so its own use of the figure (an early commit when the buffers grow) is unchanged.
     */
    static final class WithoutUncommittedBytes extends KafkaStreams {
        /** The gauge's name in Kafka Streams' {@code StateStoreMetrics}, which keeps it private. */
        static final String UNCOMMITTED_BYTES = "uncommitted-bytes";

        WithoutUncommittedBytes(Topology topology, Properties properties) {
            super(topology, properties);
        }

        @Override
        public Map<MetricName, ? extends Metric> metrics() {
            return safe(super.metrics());
        }

        /** {@code all} without the gauges that only the stream thread may read. */
        static Map<MetricName, Metric> safe(Map<MetricName, ? extends Metric> all) {
            Map<MetricName, Metric> safe = new LinkedHashMap<>();
            all.forEach((name, metric) -> {
                if (!UNCOMMITTED_BYTES.equals(name.name())) {
                    safe.put(name, metric);
                }
            });
            return Collections.unmodifiableMap(safe);
        }
    }
}
