package io.paystream.processor.ledger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Publishes the in-flight payments of this instance's active ledger tasks, per currency, from their
 * {@code ledger-flows} stores (see {@link InFlight}). {@link #refresh()} reads the stores through interactive queries;
 * call it on a schedule. Only the sum over every instance is the pipeline's in-flight total; one instance's share can
 * be negative, when its tasks settled payments that other tasks opened.
 */
public final class InFlightGauges {
    private static final String COUNT_PREFIX = InFlight.countKey("");
    private static final String AMOUNT_PREFIX = InFlight.amountKey("");

    private final Supplier<KafkaStreams> streams;
    private final String storeName;
    private final MultiGauge count;
    private final MultiGauge amount;

    public InFlightGauges(MeterRegistry registry, Supplier<KafkaStreams> streams, String storeName) {
        this.streams = streams;
        this.storeName = storeName;
        this.count = MultiGauge.builder("paystream.payments.in.flight")
                .description("Payments debited but neither credited nor reversed, in this instance's ledger tasks; "
                        + "sum over instances")
                .register(registry);
        this.amount = MultiGauge.builder("paystream.payments.in.flight.amount")
                .description("Minor units debited but neither credited nor reversed, in this instance's ledger "
                        + "tasks; sum over instances")
                .baseUnit("minor_units")
                .register(registry);
    }

    /**
     * Reads the local active ledger stores and republishes the gauges. While a rebalance makes the stores unavailable,
     * the last values stay.
     *
     * @return true when the stores could be read
     */
    public boolean refresh() {
        KafkaStreams current = streams.get();
        if (current == null) {
            return false;
        }
        Map<String, BigInteger> counts = new TreeMap<>();
        Map<String, BigInteger> amounts = new TreeMap<>();
        try {
            // IQv1 on purpose: it never takes the store's Position monitor, so it cannot deadlock the stream thread
            // (KAFKA-19629; see KeyRouter).
            ReadOnlyKeyValueStore<String, BigInteger> store = current.store(StoreQueryParameters.fromNameAndType(
                    storeName, QueryableStoreTypes.<String, BigInteger>keyValueStore()));
            try (KeyValueIterator<String, BigInteger> all = store.all()) {
                while (all.hasNext()) {
                    KeyValue<String, BigInteger> entry = all.next();
                    if (entry.key.startsWith(COUNT_PREFIX)) {
                        counts.merge(entry.key.substring(COUNT_PREFIX.length()), entry.value, BigInteger::add);
                    } else if (entry.key.startsWith(AMOUNT_PREFIX)) {
                        amounts.merge(entry.key.substring(AMOUNT_PREFIX.length()), entry.value, BigInteger::add);
                    }
                }
            }
        } catch (InvalidStateStoreException e) {
            return false;
        }
        count.register(rows(counts), true);
        amount.register(rows(amounts), true);
        return true;
    }

    private static List<MultiGauge.Row<?>> rows(Map<String, BigInteger> byCurrency) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        // Prometheus samples are doubles anyway; a total beyond 2^53 loses its last digits there, not in the store.
        byCurrency.forEach((currency, value) -> rows.add(MultiGauge.Row.of(Tags.of("currency", currency),
                value.doubleValue())));
        return rows;
    }
}
