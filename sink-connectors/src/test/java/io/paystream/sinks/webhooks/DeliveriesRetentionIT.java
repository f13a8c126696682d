package io.paystream.sinks.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.sinks.SinkConfig;
import io.paystream.sinks.SinkDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Ended deliveries past their retention go, with their attempts; pending and recent ones stay. On real PostgreSQL. */
class DeliveriesRetentionIT {
    private static void delivery(Jdbi jdbi, long id, String state, String finishedDaysAgo) {
        jdbi.useHandle(handle -> {
            handle.createUpdate("INSERT INTO webhook_deliveries (delivery_id, endpoint_id, event_id, event_type, "
                    + "account_id, source_partition, source_offset, source_index, payload, state, next_attempt_at, "
                    + "created_at, finished_at) VALUES (:id, 'we_1', :event, 'payment.completed', 'alice', 0, :id, 0, "
                    + "'{}', :state, now(), now() - interval '60 days', "
                    + (finishedDaysAgo == null ? "NULL" : "now() - interval '" + finishedDaysAgo + " days'") + ")")
                    .bind("id", id).bind("event", "evt_" + id).bind("state", state).execute();
            handle.createUpdate("INSERT INTO webhook_attempts (delivery_id, attempt, started_at) VALUES (:id, 1, "
                    + "now() - interval '60 days')").bind("id", id).execute();
        });
    }

    @Test
    void endedDeliveriesPastTheirRetentionAreDeletedWithTheirAttempts() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            Jdbi jdbi = SinkDatabase.connect(new SinkConfig(Map.of(SinkConfig.JDBC_URL, "jdbc:postgresql://localhost:"
                    + postgres.getPort() + "/postgres", SinkConfig.JDBC_USER, "postgres"))).jdbi();
            delivery(jdbi, 1, "DELIVERED", "40");
            delivery(jdbi, 2, "DEAD", "31");
            delivery(jdbi, 3, "DELIVERED", "1");
            delivery(jdbi, 4, "PENDING", null);

            Deliveries deliveries = new Deliveries(jdbi);
            assertThat(deliveries.forget(Duration.ofDays(30), 1)).as("bounded by the batch").isEqualTo(1);
            assertThat(deliveries.forget(Duration.ofDays(30), 100)).isEqualTo(1);
            assertThat(deliveries.forget(Duration.ofDays(30), 100)).isZero();

            List<Long> left = jdbi.withHandle(h -> h.createQuery("SELECT delivery_id FROM webhook_deliveries "
                    + "ORDER BY delivery_id").mapTo(Long.class).list());
            List<Long> attempts = jdbi.withHandle(h -> h.createQuery("SELECT delivery_id FROM webhook_attempts "
                    + "ORDER BY delivery_id").mapTo(Long.class).list());
            assertThat(left).containsExactly(3L, 4L);
            assertThat(attempts).containsExactly(3L, 4L);
        }
    }
}
