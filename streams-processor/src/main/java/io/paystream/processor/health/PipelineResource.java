package io.paystream.processor.health;

import io.dropwizard.auth.Auth;
import io.dropwizard.lifecycle.Managed;
import io.paystream.queries.deadletters.DeadLetterReader;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/pipeline}: the health of the whole pipeline as an operator sees it, for the console's overview.
 * Admin only (it names the instances' addresses).
 * <ul>
 *   <li>instances: every processor in the group (from the Streams metadata), with the partitions it hosts;</li>
 *   <li>lag: for the group, per input topic, the committed offsets' distance to the last stable offsets (the same
 *       figure as {@code kafka-consumer-groups --describe}; a transaction marker counts as one). A topic shows once
 *       the group has committed on it: an idle group that has read nothing yet has no lag to show;</li>
 *   <li>dead letters: per dead-letter topic, the span of its offsets (an upper bound of its records: transactional
 *       writers add a marker per transaction);</li>
 *   <li>stall: this instance's stall watchdog's verdict.</li>
 * </ul>
 */
@Path("/v1/pipeline")
@Produces(MediaType.APPLICATION_JSON)
public final class PipelineResource implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineResource.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** The answer. {@code lag} and {@code deadLetters} are null when the broker could not be asked in time. */
    public record Pipeline(String state, List<Instance> instances, Map<String, Long> lag,
            Map<String, Long> deadLetters, Stall stall) {
    }

    /** One processor instance: its query address and how many partitions it hosts, active and standby. */
    public record Instance(String address, int activePartitions, int standbyPartitions) {
    }

    /** This instance's stall verdict. */
    public record Stall(boolean stalled, String reason, double stalledSeconds) {
    }

    private final Supplier<KafkaStreams> streams;
    private final Supplier<StallWatchdog> watchdog;
    private final Map<String, String> kafka;
    private final String applicationId;
    private volatile Admin admin;

    public PipelineResource(Supplier<KafkaStreams> streams, Supplier<StallWatchdog> watchdog,
            Map<String, String> kafka, String applicationId) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.watchdog = Objects.requireNonNull(watchdog, "watchdog");
        this.kafka = Map.copyOf(kafka);
        this.applicationId = Objects.requireNonNull(applicationId, "applicationId");
    }

    @GET
    @RolesAllowed(Scopes.ADMIN)
    public Pipeline get(@Auth ApiClient client) {
        KafkaStreams running = streams.get();
        List<Instance> instances = new ArrayList<>();
        if (running != null && running.state().isRunningOrRebalancing()) {
            for (StreamsMetadata host : running.metadataForAllStreamsClients()) {
                instances.add(new Instance(host.hostInfo().host() + ":" + host.hostInfo().port(),
                        host.topicPartitions().size(), host.standbyTopicPartitions().size()));
            }
        }
        StallWatchdog stalls = watchdog.get();
        Stall stall = stalls == null ? new Stall(false, "not watched", 0)
                : new Stall(stalls.verdict().stalled(), stalls.verdict().reason(), stalls.stalledSeconds());
        return new Pipeline(running == null ? "STARTING" : running.state().name(), instances, lag(), deadLetters(),
                stall);
    }

    private Map<String, Long> lag() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin().listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            var ends = admin().listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, Long> lag = new TreeMap<>();
            committed.forEach((partition, offset) -> {
                long end = ends.get(partition).offset();
                lag.merge(partition.topic(), Math.max(0, end - (offset == null ? 0 : offset.offset())), Long::sum);
            });
            return lag;
        } catch (Exception e) {
            LOG.debug("cannot read the group's lag: {}", e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return null;
        }
    }

    private Map<String, Long> deadLetters() {
        Map<String, Long> spans = new TreeMap<>();
        for (String topic : DeadLetterReader.TOPICS) {
            try {
                var description = admin().describeTopics(List.of(topic)).allTopicNames()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
                description.partitions().forEach(p -> {
                    latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                    earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
                });
                var ends = admin().listOffsets(latest).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                var starts = admin().listOffsets(earliest).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                long span = 0;
                for (var end : ends.entrySet()) {
                    span += end.getValue().offset() - starts.get(end.getKey()).offset();
                }
                spans.put(topic, span);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    LOG.debug("cannot read the offsets of {}: {}", topic, e.toString());
                    return null;
                }
                // A topic that does not exist yet holds no dead letters.
                spans.put(topic, 0L);
            } catch (TimeoutException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return spans;
    }

    private Admin admin() {
        Admin current = admin;
        if (current == null) {
            synchronized (this) {
                if (admin == null) {
                    Map<String, Object> properties = new HashMap<>(kafka);
                    properties.put("client.id", applicationId + "-pipeline-view");
                    admin = Admin.create(properties);
                }
                current = admin;
            }
        }
        return current;
    }

    @Override
    public void stop() {
        Admin current = admin;
        if (current != null) {
            current.close(TIMEOUT);
        }
    }
}
