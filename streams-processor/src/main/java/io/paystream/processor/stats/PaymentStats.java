package io.paystream.processor.stats;

import io.paystream.processor.errors.FailTaskException;
import io.paystream.schemas.PaymentStatuses;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.StatsBucket;
import io.paystream.schemas.serde.AvroSerde;
import io.paystream.schemas.stats.LatencyHistogram;
import io.paystream.schemas.stats.StatsKeys;
import io.paystream.schemas.stats.StatsWindow;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The payment statistics that {@code GET /v1/stats} serves, kept beside the status view in the same task, so that each
 * change of a payment's state is counted exactly once, in the same transaction as the state itself, with no
 * repartition: each partition's task keeps the stats of its own payments, and the query API adds up every partition.
 *
 * <ul>
 *   <li>{@link StatsWindow}'s window stores ({@code stats-10s}, {@code stats-1m}, {@code stats-15m}): per scope,
 *       currency and bucket of the event's record time, the payments that reached each status, the completed volume,
 *       and a latency histogram.</li>
 *   <li>{@link #IN_FLIGHT_STORE}: per scope and currency, payments accepted and not yet finished.</li>
 * </ul>
 *
 * Latency is the time from the request's record timestamp to the moment the status view stores the final status,
 * read from the wall clock once, when the payment finishes, and stored; it is the only wall-clock value here.
 */
public final class PaymentStats {
    /** scope|currency → payments accepted (or authorized) and not yet finished. */
    public static final String IN_FLIGHT_STORE = StatsKeys.IN_FLIGHT_STORE;

    private final StatsScopes scopes;
    private final Map<StatsWindow, WindowStore<String, StatsBucket>> windows = new EnumMap<>(StatsWindow.class);
    private KeyValueStore<String, Long> inFlight;

    public PaymentStats(StatsScopes scopes) {
        this.scopes = Objects.requireNonNull(scopes, "scopes");
    }

    /** Adds the stats stores to {@code topology}, connected to {@code processor}. */
    public static void addStoresTo(Topology topology, String processor) {
        for (StatsWindow window : StatsWindow.values()) {
            StoreBuilder<WindowStore<String, StatsBucket>> store = Stores.windowStoreBuilder(
                    Stores.persistentWindowStore(window.store(), window.retention(), window.bucketSize(), false),
                    Serdes.String(), AvroSerde.of(StatsBucket.class));
            // A handful of hot keys take one update per event: the cache folds them into one write per commit.
            topology.addStateStore(store.withCachingEnabled(), processor);
        }
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IN_FLIGHT_STORE),
                Serdes.String(), Serdes.Long()).withCachingEnabled(), processor);
    }

    public void init(ProcessorContext<?, ?> context) {
        for (StatsWindow window : StatsWindow.values()) {
            windows.put(window, context.getStateStore(window.store()));
        }
        inFlight = context.getStateStore(IN_FLIGHT_STORE);
    }

    /**
     * Counts the change from {@code before} to {@code after} that {@code event} made.
     *
     * @param before the payment's state before the event, or null
     * @param after the state stored for the event; not null, and not equal to {@code before}
     * @param timestampMs the event's record timestamp, which picks the bucket
     * @param nowMs the wall clock, for the latency of a payment that finishes
     */
    public void record(PaymentState before, PaymentEvent event, PaymentState after, long timestampMs, long nowMs) {
        PaymentStatus status = event.getStatus();
        boolean finished = PaymentStatuses.isTerminal(after.getStatus())
                && (before == null || !PaymentStatuses.isTerminal(before.getStatus()));
        long volume = status == PaymentStatus.COMPLETED && finished
                ? (event.getCapturedAmount() != null ? event.getCapturedAmount() : event.getAmount()) : 0;
        // Straight-through payments only: a hold's end measures how long the client waited to capture it.
        boolean timed = finished && event.getActionId() == null
                && (status == PaymentStatus.COMPLETED || status == PaymentStatus.REJECTED
                        || status == PaymentStatus.REVERSED);
        long latencyMs = Math.max(0, nowMs - event.getRequestedAtMs());
        int inFlightChange = before == null && !PaymentStatuses.isTerminal(after.getStatus()) ? 1
                : before != null && finished ? -1 : 0;
        String currency = after.getCurrency() != null ? after.getCurrency() : event.getCurrency();
        for (String scope : scopes.of(after.getFrom(), after.getTo())) {
            String key = StatsKeys.key(scope, currency);
            try {
                for (Map.Entry<StatsWindow, WindowStore<String, StatsBucket>> window : windows.entrySet()) {
                    long start = window.getKey().bucketStart(timestampMs);
                    StatsBucket bucket = window.getValue().fetch(key, start);
                    window.getValue().put(key, add(bucket, status, volume, timed ? latencyMs : -1), start);
                }
                if (inFlightChange != 0) {
                    Long current = inFlight.get(key);
                    inFlight.put(key, (current == null ? 0 : current) + inFlightChange);
                }
            } catch (RuntimeException e) {
                // Skipping would leave the stats short of this payment for good: fail the task and replay instead.
                throw new FailTaskException("cannot count payment " + event.getPaymentId() + " in the stats", e);
            }
        }
    }

    private static StatsBucket add(StatsBucket bucket, PaymentStatus status, long volume, long latencyMs) {
        Map<String, Long> counts = new HashMap<>(bucket == null ? Map.of() : bucket.getCounts());
        counts.merge(status.name(), 1L, Long::sum);
        List<Long> latencies = bucket == null ? new ArrayList<>() : bucket.getLatencyBuckets();
        return StatsBucket.newBuilder()
                .setCounts(counts)
                .setVolume((bucket == null ? 0 : bucket.getVolume()) + volume)
                .setLatencyBuckets(latencyMs < 0 ? latencies : LatencyHistogram.record(latencies, latencyMs))
                .build();
    }
}
