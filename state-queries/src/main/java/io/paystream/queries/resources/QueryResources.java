package io.paystream.queries.resources;

import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.micrometer.core.instrument.MeterRegistry;
import io.paystream.queries.history.LedgerHistory;
import io.paystream.queries.history.WebhookDeliveryLog;
import io.paystream.queries.routing.KeyRouter;

/** Wires the query resources; public only so that {@code QueryApi} can reach it. */
public final class QueryResources {
    private QueryResources() {
    }

    public static void register(JerseyEnvironment jersey, KeyRouter router, String accountsStore,
            String paymentsStore, LedgerHistory history, MeterRegistry registry) {
        QueryAnswers answers = new QueryAnswers(router, registry);
        jersey.register(new AccountQueryResource(answers, accountsStore));
        jersey.register(new PaymentQueryResource(answers, paymentsStore));
        jersey.register(new RefundQueryResource(answers, paymentsStore));
        jersey.register(new AccountEntriesResource(history));
        jersey.register(new WebhookDeliveriesResource(history == null ? null : new WebhookDeliveryLog(history.jdbi())));
    }
}
