package io.paystream.processor;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jdbi3.JdbiFactory;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.paystream.processor.health.KafkaStreamsHealthCheck;
import io.paystream.processor.health.PipelineResource;
import io.paystream.processor.health.StallDetector;
import io.paystream.processor.health.StallWatchdog;
import io.paystream.processor.internal.Schedules;
import io.paystream.processor.kafka.ManagedKafkaStreams;
import io.paystream.processor.ledger.LedgerTopology;
import io.paystream.processor.ledger.InFlightGauges;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.processor.stats.StatsScopes;
import io.paystream.processor.status.PaymentStatusTopology;
import io.paystream.queries.QueryApi;
import io.paystream.queries.deadletters.DeadLetterReader;
import io.paystream.queries.routing.Forwarder;
import io.paystream.queries.history.JournalHistory;
import io.paystream.web.auth.ApiKeyAuth;
import io.paystream.web.auth.ApiKeyFactory;
import io.paystream.web.config.PayStreamConfiguration;
import io.paystream.web.errors.ErrorMappers;
import io.paystream.web.http.UnreadBodyDrain;
import io.paystream.web.metrics.MeterRegistries;
import java.time.Duration;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The processor: hosts the exactly-once payments topology in Kafka Streams and serves its stores through the query
 * API, with a health check and Prometheus metrics on the admin port. Start it with {@code server config.yml}.
 */
public class ProcessorApplication extends Application<ProcessorConfiguration> {
    /** How often the in-flight gauges re-read the ledger stores: a few scrapes' worth of freshness. */
    private static final Duration IN_FLIGHT_REFRESH = Duration.ofSeconds(5);
    /** A dead-letter read waits at most this long for the broker at each step. */
    private static final Duration DEAD_LETTER_READ_TIMEOUT = Duration.ofSeconds(5);

    private volatile ManagedKafkaStreams streams;
    private volatile PrometheusMeterRegistry registry;
    private volatile StallWatchdog stallWatchdog;

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
        bootstrap.addCommand(new ReplayCommand());
    }

    @Override
    public void run(ProcessorConfiguration configuration, Environment environment) {
        registry = MeterRegistries.prometheus(environment);
        configuration.registerAdminAuth(environment);
        PaymentMetrics metrics = new PaymentMetrics(registry);
        streams = configuration.getStreams().build(configuration.getKafka(), metrics, registry,
                configuration.getDirectProducers(), new StatsScopes(configuration.clients()),
                configuration.getMinHoldSeconds());
        environment.lifecycle().manage(streams);
        environment.healthChecks().register("kafka-streams", new KafkaStreamsHealthCheck(streams));
        stallWatchdog = configuration.getStall().build(environment, streams::streams,
                () -> new StallDetector.Restores(streams.restoring(), streams.restoreProgress(),
                        streams.describeRestores()), registry, this::exitProcess);
        InFlightGauges inFlight = new InFlightGauges(registry, streams::streams, LedgerTopology.FLOWS_STORE);
        // A failed read keeps the gauges' last values.
        Schedules.everyFixedDelay(environment, "in-flight-gauges", IN_FLIGHT_REFRESH, inFlight::refresh);

        ErrorMappers.register(configuration, environment, registry);
        // A refused request's unread body would make Jetty drop the keep-alive connection without saying so.
        environment.jersey().register(new UnreadBodyDrain());
        ApiKeyAuth.register(environment.jersey(), configuration.getApiKeys());
        configuration.getRateLimit().register(environment.jersey(), registry, "paystream.query",
                ApiKeyAuth.validAuthorization(configuration.getApiKeys()));
        // JdbiFactory also registers the database's health check, named history-db.
        JournalHistory history = configuration.getDatabase() == null ? null
                : new JournalHistory(new JdbiFactory().build(environment, configuration.getDatabase(), "history-db"));
        QueryApi.register(environment.jersey(), streams::streams,
                HostInfo.buildFromEndpoint(configuration.getStreams().getApplicationServer()),
                LedgerTopology.ACCOUNTS_STORE, PaymentStatusTopology.PAYMENTS_STORE,
                configuration.getQueryForwardTimeout().toJavaDuration(),
                Forwarder.token(configuration.getApiKeys().stream().map(ApiKeyFactory::getKeySha256).toList()),
                history, new DeadLetterReader(configuration.getKafka(), DEAD_LETTER_READ_TIMEOUT), registry);
        PipelineResource pipeline = new PipelineResource(streams::streams, this::stallWatchdog,
                configuration.getKafka(), configuration.getStreams().getApplicationId());
        environment.lifecycle().manage(pipeline);
        environment.jersey().register(pipeline);
        configuration.getConsole().register(environment, registry, history != null);
    }

    /**
     * Ends the process with {@code status} when the stall watchdog gives up. A halt, not a clean stop: a stuck stream
     * thread would hold a clean close for its whole timeout, and under exactly-once a halt is as safe as kill -9 (the
     * open transaction aborts; the next process resumes from the last commit). Tests override it.
     */
    protected void exitProcess(int status) {
        Runtime.getRuntime().halt(status);
    }

    /** The stall watchdog, once {@link #run} has built it. */
    public StallWatchdog stallWatchdog() {
        return stallWatchdog;
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
