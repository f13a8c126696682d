package io.paystream.queries.resources;

import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.micrometer.core.instrument.MeterRegistry;
import io.paystream.queries.deadletters.DeadLetterReader;
import io.paystream.queries.history.BalanceHistory;
import io.paystream.queries.history.JournalHistory;
import io.paystream.queries.history.WebhookDeliveryLog;
import io.paystream.queries.routing.KeyRouter;
import io.paystream.queries.routing.Scatter;
import java.time.Clock;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/** Wires the query resources; public only so that {@code QueryApi} can reach it. */
public final class QueryResources {
    private QueryResources() {
    }

    public static void register(JerseyEnvironment jersey, KeyRouter router, Scatter scatter,
            Supplier<KafkaStreams> streams, String accountsStore, String paymentsStore, JournalHistory history,
            DeadLetterReader deadLetters, MeterRegistry registry) {
        QueryAnswers answers = new QueryAnswers(router, registry);
        jersey.register(new AccountQueryResource(answers, accountsStore));
        jersey.register(new PaymentQueryResource(answers, paymentsStore));
        jersey.register(new PaymentBatchQueryResource(router, paymentsStore));
        jersey.register(new RefundQueryResource(answers, paymentsStore));
        jersey.register(new AccountEntriesResource(history));
        jersey.register(new BalanceMonitorQueryResource(answers, accountsStore));
        jersey.register(new AccountBalanceResource(answers, accountsStore,
                history == null ? null : new BalanceHistory(history.jdbi()), Clock.systemUTC()));
        jersey.register(new AccountListResource(streams, scatter, accountsStore));
        jersey.register(new DeadLettersResource(deadLetters));
        jersey.register(new MeResource());
        jersey.register(new StatsResource(streams, scatter, Clock.systemUTC()));
        jersey.register(new WebhookDeliveriesResource(history == null ? null : new WebhookDeliveryLog(history.jdbi())));
    }
}
