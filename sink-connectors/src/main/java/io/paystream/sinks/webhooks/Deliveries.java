package io.paystream.sinks.webhooks;

import io.paystream.schemas.avro.WebhookEndpoint;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The delivery queue in PostgreSQL: what the sink enqueues, what the dispatcher claims, and every attempt's outcome.
 * Claims are leases: an attempt whose sender died is claimed again once its lease expires, and sent again with the
 * same event id. Every change is a single short transaction; no transaction is held open across an HTTP call.
 */
final class Deliveries {
    private final Jdbi jdbi;

    Deliveries(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** One event for one endpoint, from the notification at {@code partition}@{@code offset}. */
    record NewDelivery(String endpointId, String eventId, String eventType, String accountId, int partition,
            long offset, int index, String payload) {
    }

    /** A delivery claimed for attempt number {@code attempt}. */
    record Claimed(long deliveryId, String endpointId, String eventId, String eventType, String payload,
            int attempt) {
    }

    /** Queues deliveries, due now; one already queued (a replayed notification) is left as it is. */
    int enqueue(List<NewDelivery> deliveries) {
        if (deliveries.isEmpty()) {
            return 0;
        }
        return jdbi.inTransaction(handle -> {
            PreparedBatch batch = handle.prepareBatch("""
                    INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, account_id, source_partition,
                        source_offset, source_index, payload, state, next_attempt_at, created_at)
                    VALUES (:endpointId, :eventId, :eventType, :accountId, :partition, :offset, :index, :payload,
                        'PENDING', now(), now())
                    ON CONFLICT (endpoint_id, event_id) DO NOTHING""");
            for (NewDelivery delivery : deliveries) {
                batch.bind("endpointId", delivery.endpointId()).bind("eventId", delivery.eventId())
                        .bind("eventType", delivery.eventType()).bind("accountId", delivery.accountId())
                        .bind("partition", delivery.partition()).bind("offset", delivery.offset())
                        .bind("index", delivery.index()).bind("payload", delivery.payload()).add();
            }
            int inserted = 0;
            for (int rows : batch.execute()) {
                inserted += Math.max(rows, 0);
            }
            return inserted;
        });
    }

    /** Records an endpoint as the registrations topic has it now; {@code endpoint} null means deleted. */
    void endpointChanged(String endpointId, WebhookEndpoint endpoint, Instant at) {
        jdbi.useHandle(handle -> {
            if (endpoint == null) {
                handle.createUpdate("UPDATE webhook_endpoints SET deleted = TRUE, updated_at = :at "
                        + "WHERE endpoint_id = :id").bind("id", endpointId).bind("at", Timestamp.from(at)).execute();
                return;
            }
            handle.createUpdate("""
                    INSERT INTO webhook_endpoints (endpoint_id, client_id, url, status, deleted, updated_at)
                    VALUES (:id, :client, :url, :status, FALSE, :at)
                    ON CONFLICT (endpoint_id) DO UPDATE SET url = EXCLUDED.url, status = EXCLUDED.status,
                        updated_at = EXCLUDED.updated_at
                    WHERE NOT webhook_endpoints.deleted""")
                    .bind("id", endpointId).bind("client", endpoint.getClientId()).bind("url", endpoint.getUrl())
                    .bind("status", endpoint.getStatus().name())
                    .bind("at", Timestamp.from(Instant.ofEpochMilli(endpoint.getUpdatedAtMs()))).execute();
        });
    }

    /**
     * After a restart: the attempts this task had in flight will never be answered. Marks them ABANDONED and frees
     * their deliveries, which are then due again at once.
     */
    int releaseLeases(String leasedBy) {
        return jdbi.inTransaction(handle -> {
            handle.createUpdate("""
                    UPDATE webhook_attempts a SET outcome = 'ABANDONED', error = 'the sender stopped before the answer'
                    FROM webhook_deliveries d
                    WHERE a.delivery_id = d.delivery_id AND a.attempt = d.attempts AND a.outcome IS NULL
                      AND d.leased_by = :me AND d.state = 'PENDING'""").bind("me", leasedBy).execute();
            return handle.createUpdate("UPDATE webhook_deliveries SET lease_until = NULL, leased_by = NULL "
                    + "WHERE leased_by = :me AND state = 'PENDING'").bind("me", leasedBy).execute();
        });
    }

    /**
     * Claims up to {@code limit} due deliveries: for each (endpoint, account), only the oldest pending one, and no
     * more per endpoint than leaves {@code perEndpoint} attempts in flight to it (over every task).
     */
    List<Claimed> claim(String leasedBy, Duration lease, int limit, int perEndpoint) {
        return jdbi.inTransaction(handle -> {
            List<Long> candidates = handle.createQuery("""
                    WITH heads AS (
                        SELECT d.delivery_id, d.endpoint_id, d.next_attempt_at,
                               row_number() OVER (PARTITION BY d.endpoint_id
                                                  ORDER BY d.next_attempt_at, d.delivery_id) AS rank
                        FROM webhook_deliveries d
                        WHERE d.state = 'PENDING' AND d.next_attempt_at <= now()
                          AND (d.lease_until IS NULL OR d.lease_until < now())
                          AND NOT EXISTS (
                              SELECT 1 FROM webhook_deliveries e
                              WHERE e.state = 'PENDING' AND e.endpoint_id = d.endpoint_id
                                AND e.account_id = d.account_id
                                AND (e.source_partition, e.source_offset, e.source_index)
                                    < (d.source_partition, d.source_offset, d.source_index))
                    ), busy AS (
                        SELECT endpoint_id, count(*) AS leased FROM webhook_deliveries
                        WHERE state = 'PENDING' AND lease_until >= now() GROUP BY endpoint_id
                    )
                    SELECT h.delivery_id FROM heads h LEFT JOIN busy b USING (endpoint_id)
                    WHERE h.rank + coalesce(b.leased, 0) <= :perEndpoint
                    ORDER BY h.next_attempt_at, h.delivery_id
                    LIMIT :limit""")
                    .bind("perEndpoint", perEndpoint).bind("limit", limit).mapTo(Long.class).list();
            if (candidates.isEmpty()) {
                return List.of();
            }
            // The WHERE is checked again on each row as it is locked, so two tasks never claim one delivery.
            List<Claimed> claimed = handle.createQuery("""
                    UPDATE webhook_deliveries SET attempts = attempts + 1, leased_by = :me,
                        lease_until = now() + make_interval(secs => CAST(:leaseSeconds AS DOUBLE PRECISION))
                    WHERE delivery_id = ANY(:ids) AND state = 'PENDING'
                      AND (lease_until IS NULL OR lease_until < now())
                    RETURNING delivery_id, endpoint_id, event_id, event_type, payload, attempts""")
                    .bind("me", leasedBy).bind("leaseSeconds", lease.toMillis() / 1000.0)
                    .bindArray("ids", Long.class, candidates)
                    .map((rs, ctx) -> new Claimed(rs.getLong("delivery_id"), rs.getString("endpoint_id"),
                            rs.getString("event_id"), rs.getString("event_type"), rs.getString("payload"),
                            rs.getInt("attempts")))
                    .list();
            if (claimed.isEmpty()) {
                return claimed;
            }
            Long[] ids = claimed.stream().map(Claimed::deliveryId).toArray(Long[]::new);
            handle.createUpdate("""
                    UPDATE webhook_attempts SET outcome = 'ABANDONED', error = 'no answer was recorded before the lease expired'
                    WHERE delivery_id = ANY(:ids) AND outcome IS NULL""").bindArray("ids", Long.class, (Object[]) ids)
                    .execute();
            PreparedBatch attempts = handle.prepareBatch("INSERT INTO webhook_attempts (delivery_id, attempt, "
                    + "started_at) VALUES (:id, :attempt, now()) ON CONFLICT DO NOTHING");
            for (Claimed delivery : claimed) {
                attempts.bind("id", delivery.deliveryId()).bind("attempt", delivery.attempt()).add();
            }
            attempts.execute();
            return claimed;
        });
    }

    /** The attempt succeeded; false when the lease had already passed to another sender. */
    boolean delivered(Claimed delivery, String leasedBy, int status, long durationMs) {
        return finish(delivery, leasedBy, "DELIVERED", "SUCCEEDED", status, null, durationMs, null);
    }

    /** The attempt failed; the delivery is due again after {@code retryIn}. */
    boolean retry(Claimed delivery, String leasedBy, Integer status, String error, long durationMs,
            Duration retryIn) {
        return finish(delivery, leasedBy, "PENDING", "FAILED", status, error, durationMs, retryIn);
    }

    /** No attempt is left, or the endpoint is disabled: the delivery ends DEAD (its event is in the DLQ). */
    boolean dead(Claimed delivery, String leasedBy, Integer status, String error, long durationMs) {
        return finish(delivery, leasedBy, "DEAD", "FAILED", status, error, durationMs, null);
    }

    /** The claim is given back unsent (the attempt does not count): the delivery is due again at once. */
    void release(Claimed delivery, String leasedBy) {
        jdbi.useTransaction(handle -> {
            int released = handle.createUpdate("UPDATE webhook_deliveries SET lease_until = NULL, leased_by = NULL, "
                    + "attempts = attempts - 1 WHERE delivery_id = :id AND attempts = :attempt AND leased_by = :me "
                    + "AND state = 'PENDING'")
                    .bind("id", delivery.deliveryId()).bind("attempt", delivery.attempt()).bind("me", leasedBy)
                    .execute();
            if (released > 0) {
                handle.createUpdate("DELETE FROM webhook_attempts WHERE delivery_id = :id AND attempt = :attempt")
                        .bind("id", delivery.deliveryId()).bind("attempt", delivery.attempt()).execute();
            }
        });
    }

    /** The endpoint was deleted: the delivery ends CANCELLED, unsent. */
    boolean cancelled(Claimed delivery, String leasedBy) {
        return finish(delivery, leasedBy, "CANCELLED", "CANCELLED", null, "the endpoint was deleted", 0, null);
    }

    private boolean finish(Claimed delivery, String leasedBy, String state, String outcome, Integer status,
            String error, long durationMs, Duration retryIn) {
        return jdbi.inTransaction(handle -> {
            int updated = handle.createUpdate("""
                    UPDATE webhook_deliveries SET state = :state, lease_until = NULL, leased_by = NULL,
                        last_status = :status, last_error = :error,
                        next_attempt_at = CASE WHEN CAST(:retryMs AS BIGINT) IS NULL THEN next_attempt_at
                            ELSE now() + make_interval(secs => CAST(:retryMs AS BIGINT) / 1000.0) END,
                        finished_at = CASE WHEN CAST(:state AS VARCHAR) = 'PENDING' THEN NULL ELSE now() END
                    WHERE delivery_id = :id AND attempts = :attempt AND leased_by = :me AND state = 'PENDING'""")
                    .bind("state", state).bind("status", status).bind("error", truncate(error))
                    .bind("retryMs", retryIn == null ? null : (Long) retryIn.toMillis())
                    .bind("id", delivery.deliveryId()).bind("attempt", delivery.attempt()).bind("me", leasedBy)
                    .execute();
            if (updated == 0) {
                return false; // the lease expired and another sender took the delivery; its outcome will count
            }
            handle.createUpdate("""
                    UPDATE webhook_attempts SET outcome = :outcome, status_code = :status, error = :error,
                        duration_ms = :duration
                    WHERE delivery_id = :id AND attempt = :attempt""")
                    .bind("outcome", outcome).bind("status", status).bind("error", truncate(error))
                    .bind("duration", (int) Math.min(Integer.MAX_VALUE, durationMs))
                    .bind("id", delivery.deliveryId()).bind("attempt", delivery.attempt()).execute();
            return true;
        });
    }

    /** What the gauges show: pending deliveries, the oldest one's age, and endpoints failing (3+ attempts). */
    /**
     * Deletes at most {@code limit} deliveries that ended (delivered, dead or cancelled) more than {@code age} ago,
     * with their attempts, in one statement. A pending delivery is never deleted.
     *
     * @return how many deliveries were deleted
     */
    int forget(Duration age, int limit) {
        return jdbi.withHandle(handle -> handle.createUpdate("""
                WITH old AS (SELECT delivery_id FROM webhook_deliveries
                             WHERE state <> 'PENDING' AND finished_at < now() - make_interval(secs => :ageSeconds)
                             LIMIT :limit),
                     attempts AS (DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT delivery_id FROM old))
                DELETE FROM webhook_deliveries WHERE delivery_id IN (SELECT delivery_id FROM old)""")
                .bind("ageSeconds", age.toMillis() / 1000.0).bind("limit", limit).execute());
    }

    record Backlog(long pending, double oldestPendingSeconds, long failingEndpoints) {
    }

    Backlog backlog() {
        return jdbi.withHandle(handle -> handle.createQuery("""
                SELECT count(*) AS pending,
                       coalesce(extract(epoch FROM now() - min(created_at)), 0) AS oldest,
                       count(DISTINCT endpoint_id) FILTER (WHERE attempts >= 3) AS failing
                FROM webhook_deliveries WHERE state = 'PENDING'""")
                .map((rs, ctx) -> new Backlog(rs.getLong("pending"), rs.getDouble("oldest"), rs.getLong("failing")))
                .one());
    }

    private static String truncate(String error) {
        return error == null || error.length() <= 500 ? error : error.substring(0, 500);
    }
}
