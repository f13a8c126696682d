package io.paystream.processor;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jdbi3.JdbiFactory;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.paystream.processor.health.KafkaStreamsHealthCheck;
import io.paystream.processor.kafka.ManagedKafkaStreams;
import io.paystream.processor.ledger.LedgerTopology;
import io.paystream.processor.metrics.InFlightGauges;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.processor.status.PaymentStatusTopology;
import io.paystream.queries.QueryApi;
import io.paystream.queries.history.LedgerHistory;
import io.paystream.web.auth.ApiKeyAuth;
import io.paystream.web.config.PayStreamConfiguration;
import io.paystream.web.errors.ErrorMappers;
import io.paystream.web.metrics.MeterRegistries;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor: hosts the exactly-once payments topology in Kafka Streams and serves its stores through the query
 * API, with a health check and Prometheus metrics on the admin port. Start it with {@code server config.yml}.
 */
public class ProcessorApplication extends Application<ProcessorConfiguration> {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorApplication.class);
    /** How often the in-flight gauges re-read the ledger stores: a few scrapes' worth of freshness. */
    private static final Duration IN_FLIGHT_REFRESH = Duration.ofSeconds(5);

    private volatile ManagedKafkaStreams streams;
    private volatile PrometheusMeterRegistry registry;

    public static void main(String[] args) throws Exception {
        new ProcessorApplication().run(args);
    }

    @Override
    public String getName() {
        return "paystream-processor";
    }

    @Override
    public void initialize(Bootstrap<ProcessorConfiguration> bootstrap) {
        PayStreamConfiguration.substituteEnvironment(bootstrap);
    }

    @Override
    public void run(ProcessorConfiguration configuration, Environment environment) {
        registry = MeterRegistries.prometheus(environment);
        PaymentMetrics metrics = new PaymentMetrics(registry);
        streams = configuration.getStreams().build(configuration.getKafka(), metrics, registry);
        environment.lifecycle().manage(streams);
        environment.healthChecks().register("kafka-streams", new KafkaStreamsHealthCheck(streams));
        scheduleInFlightGauges(environment, new InFlightGauges(registry, streams::streams, LedgerTopology.FLOWS_STORE));

        ErrorMappers.register(configuration, environment, registry);
        ApiKeyAuth.register(environment.jersey(), configuration.getApiKeys());
        // JdbiFactory also registers the database's health check, named history-db.
        LedgerHistory history = configuration.getDatabase() == null ? null
                : new LedgerHistory(new JdbiFactory().build(environment, configuration.getDatabase(), "history-db"));
        QueryApi.register(environment.jersey(), streams::streams,
                HostInfo.buildFromEndpoint(configuration.getStreams().getApplicationServer()),
                LedgerTopology.ACCOUNTS_STORE, PaymentStatusTopology.PAYMENTS_STORE,
                configuration.getQueryForwardTimeout().toJavaDuration(), history, registry);
    }

    private static void scheduleInFlightGauges(Environment environment, InFlightGauges gauges) {
        ScheduledExecutorService executor = environment.lifecycle().scheduledExecutorService("in-flight-gauges")
                .threads(1).build();
        executor.scheduleWithFixedDelay(() -> {
            try {
                gauges.refresh();
            } catch (RuntimeException e) {
                // A failed read must not cancel the schedule; the gauges keep their last values.
                LOG.warn("could not refresh the in-flight gauges: {}", e.toString());
            }
        }, IN_FLIGHT_REFRESH.toMillis(), IN_FLIGHT_REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The metrics registry, once {@link #run} has built it. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The managed Streams instance, once {@link #run} has built it. */
    public ManagedKafkaStreams streams() {
        return streams;
    }
}
