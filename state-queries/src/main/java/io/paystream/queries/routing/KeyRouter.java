package io.paystream.queries.routing;

import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Finds the instance that owns a key ({@code queryMetadataForKey} and {@code application.server}) and reads the key
 * there: locally through IQv1 from the active task only, or by forwarding to the owner. Reads here never block the
 * stream thread (see {@link #readLocal}). When the owner cannot
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

    /** True when {@code forwardedHeader} marks a request another instance forwarded here. */
    public boolean forwardedByPeer(String forwardedHeader) {
        return forwarder.fromPeer(forwardedHeader);
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

    /**
     * Reads one partition's store here. IQv1 on purpose: a {@code ReadOnlyKeyValueStore#get} takes only the store's
     * own monitor (and the record cache's lock, when there is one), in the same order as the stream thread's writes.
     * IQv2's {@code KeyQuery} takes the store's {@code Position} monitor first and the {@code RocksDBStore} monitor
     * second, while {@code RocksDBStore.put} on the stream thread takes them the other way round: under concurrent
     * reads and writes that deadlocked the stream thread for good on Kafka 4.3.1 (KAFKA-19629). On 4.4.0 an IQv1
     * read goes through the store's lock-free read-only view, at the configured isolation level (READ_COMMITTED).
     * See docs/queries-and-local-stack.md. Without {@code enableStaleStores()}, IQv1 serves only an active task that is
     * RUNNING, as IQv2's {@code requireActive()} did.
     */
    private <V> Lookup<V> readLocal(KafkaStreams running, String store, String key, int partition,
            boolean requireActive) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> parameters = StoreQueryParameters
                .fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore()).withPartition(partition);
        if (!requireActive) {
            parameters = parameters.enableStaleStores();
        }
        try {
            return new Lookup.Local<>(running.store(parameters).get(key), !requireActive);
        } catch (InvalidStateStoreException e) {
            // Not hosted here (any more), restoring, or closed by a rebalance: the caller answers 503 or reads a
            // standby, exactly as for a failed IQv2 partition result.
            return unavailable("partition " + partition + " cannot be read here: " + e.getMessage());
        }
    }

    /** Without metadata, any local replica that holds the key may answer; not finding it proves nothing. */
    private <V> Lookup<V> readAnyLocalReplica(KafkaStreams running, String store, String key) {
        try {
            V value = running.store(StoreQueryParameters.fromNameAndType(store,
                    QueryableStoreTypes.<String, V>keyValueStore()).enableStaleStores()).get(key);
            return value == null ? unavailable("no local replica holds the key") : new Lookup.Local<>(value, true);
        } catch (InvalidStateStoreException e) {
            return unavailable("no local replica can be read: " + e.getMessage());
        }
    }

    private static <V> Lookup<V> unavailable(String why) {
        return new Lookup.Unavailable<>(why);
    }
}
