package io.paystream.queries;

import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.micrometer.core.instrument.MeterRegistry;
import io.paystream.queries.deadletters.DeadLetterReader;
import io.paystream.queries.history.JournalHistory;
import io.paystream.queries.resources.QueryResources;
import io.paystream.queries.routing.Forwarder;
import io.paystream.queries.routing.KeyRouter;
import io.paystream.queries.routing.Scatter;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Registers the query API in a processor instance's Jersey environment. Authentication must already be registered
 * (web-common's {@code ApiKeyAuth}), so reads need {@code accounts:read} and ownership, or {@code admin}.
 */
public final class QueryApi {
    private QueryApi() {
    }

    /**
     * The query API of one processor instance.
     *
     * @param streams the instance's Kafka Streams, or null while it starts
     * @param self this instance's {@code application.server}, which the other instances forward to
     * @param accountsStore the ledger's store name
     * @param paymentsStore the status view's store name
     * @param forwardTimeout the bound on a forwarded query
     * @param forwardToken what marks a query forwarded by a peer; the same on every instance
     *     ({@link Forwarder#token})
     * @param history the ledger history database, or null when none is configured (history answers 503)
     * @param deadLetters reads the dead-letter topics for {@code GET /v1/dead-letters}
     */
    public static void register(JerseyEnvironment jersey, Supplier<KafkaStreams> streams, HostInfo self,
            String accountsStore, String paymentsStore, Duration forwardTimeout, String forwardToken,
            JournalHistory history, DeadLetterReader deadLetters, MeterRegistry registry) {
        Forwarder forwarder = new Forwarder(forwardTimeout, forwardToken);
        KeyRouter router = new KeyRouter(streams, self, forwarder);
        QueryResources.register(jersey, router, new Scatter(streams, self, forwarder), streams, accountsStore,
                paymentsStore, history, deadLetters, registry);
    }
}
