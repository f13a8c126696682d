package io.paystream.processor.status;

import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.processor.stats.PaymentStats;
import io.paystream.processor.stats.StatsScopes;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.serde.AvroSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The payment status view: reads {@code payments.events.v1} (key paymentId) into the {@code payments} store
 * (paymentId → PaymentState), which {@code GET /v1/payments/{id}} serves, and counts each change in the
 * {@link PaymentStats} stores, which {@code GET /v1/stats} serves.
 */
public final class PaymentStatusTopology {
    /** paymentId → PaymentState. */
    public static final String PAYMENTS_STORE = "payments";

    static final String SOURCE = "payment-events-source";
    static final String PROCESSOR = "payment-status";

    private PaymentStatusTopology() {
    }

    /** Adds the status view's source, processor and store to {@code topology}. */
    public static void addTo(Topology topology, Topic<String, PaymentEvent> events, PaymentMetrics metrics,
            StatsScopes scopes) {
        topology.addSource(SOURCE, events.keySerde().deserializer(), events.valueSerde().deserializer(),
                events.name());
        topology.addProcessor(PROCESSOR, () -> new PaymentStatusProcessor(metrics, new PaymentStats(scopes)),
                SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PAYMENTS_STORE),
                Serdes.String(), AvroSerde.of(PaymentState.class)), PROCESSOR);
        PaymentStats.addStoresTo(topology, PROCESSOR);
    }
}
