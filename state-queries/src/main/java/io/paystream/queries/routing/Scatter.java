package io.paystream.queries.routing;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a store on every partition, across every instance, for queries that no single key answers (stats, listings):
 * each instance reads the partitions it hosts as active tasks, the instance that was asked forwards the same query to
 * every other instance, and the answer is whole only when every partition answered exactly once. Partitions are
 * counted from the store's source topic in the Streams metadata, so a rebalance that leaves one unhosted, or an
 * instance that does not answer, makes the answer unavailable instead of silently short.
 *
 * <p>Reads go through IQv1 one partition at a time, active tasks only, for the reason {@link KeyRouter} gives
 * (KAFKA-19629).
 */
public final class Scatter {
    private static final Logger LOG = LoggerFactory.getLogger(Scatter.class);

    private final Supplier<KafkaStreams> streams;
    private final HostInfo self;
    private final Forwarder forwarder;

    public Scatter(Supplier<KafkaStreams> streams, HostInfo self, Forwarder forwarder) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.self = Objects.requireNonNull(self, "self");
        this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
    }

    /** True when {@code forwardedHeader} marks a request another instance forwarded here. */
    public boolean forwardedByPeer(String forwardedHeader) {
        return forwarder.fromPeer(forwardedHeader);
    }

    /** What the gathering found: every partition's part, or why some are missing. */
    public sealed interface Gathered<P> {
        /** Every partition of the source topic answered once. */
        record Whole<P>(Map<Integer, P> parts) implements Gathered<P> {
        }

        record Unavailable<P>(String why) implements Gathered<P> {
        }
    }

    /**
     * Reads the partitions of {@code store} that this instance hosts as active tasks.
     *
     * @param read reads one partition; it may throw {@link InvalidStateStoreException}, and the partition is skipped
     */
    public <P> Map<Integer, P> local(String store, String sourceTopic, IntFunction<P> read) {
        KafkaStreams running = streams.get();
        Map<Integer, P> parts = new TreeMap<>();
        if (running == null || !running.state().isRunningOrRebalancing()) {
            return parts;
        }
        for (StreamsMetadata host : running.streamsMetadataForStore(store)) {
            if (!host.hostInfo().equals(self)) {
                continue;
            }
            for (int partition : partitionsOf(host, sourceTopic)) {
                try {
                    parts.put(partition, read.apply(partition));
                } catch (InvalidStateStoreException e) {
                    // Moving away, restoring or closed: another instance answers for it, or the whole is unavailable.
                    LOG.debug("partition {} of {} cannot be read here: {}", partition, store, e.getMessage());
                }
            }
        }
        return parts;
    }

    /**
     * Reads every partition: this instance's with {@code read}, the others' by forwarding {@code pathAndQuery} (with
     * the caller's {@code authorization}) and parsing each answer with {@code parsePeer}.
     *
     * @param parsePeer turns a peer's 200 answer into its parts by partition
     */
    public <P> Gathered<P> gather(String store, String sourceTopic, IntFunction<P> read, String pathAndQuery,
            String authorization, Function<String, Map<Integer, P>> parsePeer) {
        KafkaStreams running = streams.get();
        if (running == null || !running.state().isRunningOrRebalancing()) {
            return new Gathered.Unavailable<>("the processor is " + (running == null ? "starting" : running.state()));
        }
        Set<Integer> expected = new TreeSet<>();
        Map<Integer, P> parts = new TreeMap<>(local(store, sourceTopic, read));
        for (StreamsMetadata host : running.streamsMetadataForStore(store)) {
            expected.addAll(partitionsOf(host, sourceTopic));
            if (host.hostInfo().equals(self)) {
                continue;
            }
            Lookup.Relayed<Object> relayed = forwarder.forward(host.hostInfo(), pathAndQuery, authorization);
            if (relayed == null || relayed.status() != 200) {
                return new Gathered.Unavailable<>(host.hostInfo() + " did not answer"
                        + (relayed == null ? "" : " (" + relayed.status() + ")"));
            }
            // A partition that moved between two reads is taken once, from whichever answered first.
            parsePeer.apply(relayed.body()).forEach(parts::putIfAbsent);
        }
        if (expected.isEmpty()) {
            return new Gathered.Unavailable<>("no instance hosts " + store + " yet");
        }
        Set<Integer> missing = new TreeSet<>(expected);
        missing.removeAll(parts.keySet());
        if (!missing.isEmpty()) {
            return new Gathered.Unavailable<>("partitions " + missing + " of " + store + " cannot be read right now");
        }
        parts.keySet().retainAll(expected);
        return new Gathered.Whole<>(parts);
    }

    private static Set<Integer> partitionsOf(StreamsMetadata host, String topic) {
        Set<Integer> partitions = new TreeSet<>();
        for (TopicPartition partition : host.topicPartitions()) {
            if (partition.topic().equals(topic)) {
                partitions.add(partition.partition());
            }
        }
        return partitions;
    }
}
