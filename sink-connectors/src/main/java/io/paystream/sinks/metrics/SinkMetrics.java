package io.paystream.sinks.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;

/**
 * The sinks' metrics, one registry per worker JVM: the sink tasks count into it, {@link ConnectMetricsBridge} copies
 * Connect's own task metrics into it, and {@link MetricsRestExtension} serves it at {@code /metrics} on the worker's
 * REST port. Tags are the table (two values) and a failure kind; never a record key.
 */
public final class SinkMetrics {
    /** The tables the sinks write, registered up front so that their series exist at 0 before the first batch. */
    public static final List<String> TABLES = List.of("ledger_entries", "payments");

    private static final PrometheusMeterRegistry REGISTRY = newRegistry();

    private SinkMetrics() {
    }

    private static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        for (String table : TABLES) {
            rows(registry, table);
            batches(registry, table);
            for (Failure failure : Failure.values()) {
                failures(registry, table, failure);
            }
        }
        return registry;
    }

    /** The worker's registry. */
    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }

    /** Why a write did not go through. */
    public enum Failure {
        /** The database failed; the batch will be retried. */
        RETRIED,
        /** The database failed too often; the task stops. */
        FATAL,
        /** A row broke a table constraint and went to Connect's error handling (its dead-letter topic). */
        REFUSED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A batch of {@code rows} rows was committed to {@code table} in {@code nanos}. */
    public static void batchWritten(String table, int rows, long nanos) {
        rows(REGISTRY, table).increment(rows);
        batches(REGISTRY, table).increment();
        Timer.builder("paystream.sink.batch.duration")
                .description("Time to write one batch in one transaction")
                .tag("table", table)
                .publishPercentileHistogram()
                .register(REGISTRY)
                .record(java.time.Duration.ofNanos(nanos));
    }

    /** A write to {@code table} failed as {@code failure} says. */
    public static void failed(String table, Failure failure) {
        failures(REGISTRY, table, failure).increment();
    }

    private static Counter rows(PrometheusMeterRegistry registry, String table) {
        return Counter.builder("paystream.sink.rows.written").description("Rows upserted into PostgreSQL")
                .tag("table", table).register(registry);
    }

    private static Counter batches(PrometheusMeterRegistry registry, String table) {
        return Counter.builder("paystream.sink.batches").description("Batches committed to PostgreSQL")
                .tag("table", table).register(registry);
    }

    private static Counter failures(PrometheusMeterRegistry registry, String table, Failure failure) {
        return Counter.builder("paystream.sink.failures")
                .description("Writes that did not go through: retried, fatal (the task stopped), or refused rows")
                .tag("table", table).tag("kind", failure.tag()).register(registry);
    }
}
