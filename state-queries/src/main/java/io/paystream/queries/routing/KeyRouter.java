package io.paystream.queries.routing;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Finds the instance that owns a key ({@code queryMetadataForKey} and {@code application.server}) and reads the key
 * there: locally through IQv2 with {@code requireActive()}, or by forwarding to the owner. When the owner cannot
 * answer (a rebalance is moving the key, or it is down) the answer is unavailable, unless the caller accepts a stale
 * read, which comes from a standby replica (here or on a standby host) and is marked stale.
 */
public final class KeyRouter {
    private final Supplier<KafkaStreams> streams;
    private final HostInfo self;
    private final Forwarder forwarder;

    public KeyRouter(Supplier<KafkaStreams> streams, HostInfo self, Forwarder forwarder) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.self = Objects.requireNonNull(self, "self");
        this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
    }

    /**
     * Looks {@code key} up in {@code store}.
     *
     * @param allowStale the caller accepts a standby read
     * @param forwarded the request was forwarded here by another instance, so it must not travel further
     * @param pathAndQuery the request's path and query, to forward unchanged
     * @param authorization the caller's Authorization header, forwarded so the owner checks it too
     */
    public <V> Lookup<V> lookup(String store, String key, boolean allowStale, boolean forwarded, String pathAndQuery,
            String authorization) {
        KafkaStreams running = streams.get();
        if (running == null || !running.state().isRunningOrRebalancing()) {
            return new Lookup.Unavailable<>("the processor is " + (running == null ? "starting" : running.state()));
        }
        KeyQueryMetadata owner = running.queryMetadataForKey(store, key, Serdes.String().serializer());
        if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner)
                || HostInfo.unavailable().equals(owner.activeHost())) {
            return allowStale ? readAnyLocalReplica(running, store, key) : unavailable("no owner is known for now");
        }
        if (owner.activeHost().equals(self)) {
            Lookup<V> active = readLocal(running, store, key, owner.partition(), true);
            return active instanceof Lookup.Unavailable<V> && allowStale
                    ? readLocal(running, store, key, owner.partition(), false) : active;
        }
        if (forwarded) {
            // The forwarding instance believed we own the key; ownership is moving, so do not bounce it further.
            return allowStale ? readLocal(running, store, key, owner.partition(), false)
                    : unavailable("ownership of the key is moving");
        }
        Lookup.Relayed<V> relayed = forwarder.forward(owner.activeHost(), pathAndQuery, authorization);
        if (relayed != null && relayed.status() != 503) {
            return relayed;
        }
        if (allowStale) {
            Lookup<V> standby = readFromStandby(running, owner, store, key, pathAndQuery, authorization);
            if (!(standby instanceof Lookup.Unavailable<V>)) {
                return standby;
            }
        }
        return relayed != null ? relayed : unavailable("the owner " + owner.activeHost() + " cannot be reached");
    }

    private <V> Lookup<V> readFromStandby(KafkaStreams running, KeyQueryMetadata owner, String store, String key,
            String pathAndQuery, String authorization) {
        if (owner.standbyHosts().contains(self)) {
            return readLocal(running, store, key, owner.partition(), false);
        }
        String staleQuery = pathAndQuery.contains("stale=true") ? pathAndQuery
                : pathAndQuery + (pathAndQuery.contains("?") ? "&" : "?") + "stale=true";
        for (HostInfo standby : owner.standbyHosts()) {
            Lookup.Relayed<V> relayed = forwarder.forward(standby, staleQuery, authorization);
            if (relayed != null && relayed.status() != 503) {
                return relayed;
            }
        }
        return unavailable("no standby could answer");
    }

    private <V> Lookup<V> readLocal(KafkaStreams running, String store, String key, int partition,
            boolean requireActive) {
        StateQueryRequest<V> request = StateQueryRequest.inStore(store).withQuery(KeyQuery.<String, V>withKey(key))
                .withPartitions(Set.of(partition));
        if (requireActive) {
            request = request.requireActive();
        }
        QueryResult<V> result = running.query(request).getPartitionResults().get(partition);
        if (result == null || result.isFailure()) {
            return unavailable(result == null ? "partition " + partition + " is not hosted here"
                    : result.getFailureReason() + ": " + result.getFailureMessage());
        }
        return new Lookup.Local<>(result.getResult(), !requireActive);
    }

    /** Without metadata, any local replica that holds the key may answer; not finding it proves nothing. */
    private <V> Lookup<V> readAnyLocalReplica(KafkaStreams running, String store, String key) {
        StateQueryResult<V> result = running.query(StateQueryRequest.inStore(store)
                .withQuery(KeyQuery.<String, V>withKey(key)).withAllPartitions());
        for (Map.Entry<Integer, QueryResult<V>> partition : result.getPartitionResults().entrySet()) {
            if (partition.getValue().isSuccess() && partition.getValue().getResult() != null) {
                return new Lookup.Local<>(partition.getValue().getResult(), true);
            }
        }
        return unavailable("no local replica holds the key");
    }

    private static <V> Lookup<V> unavailable(String why) {
        return new Lookup.Unavailable<>(why);
    }
}
