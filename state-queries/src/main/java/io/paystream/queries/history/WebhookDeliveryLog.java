package io.paystream.queries.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads what the webhook sink recorded about one endpoint's deliveries ({@code webhook_deliveries} and
 * {@code webhook_attempts}): newest first, one page at a time, each delivery with all its attempts.
 */
public final class WebhookDeliveryLog {
    private final Jdbi jdbi;

    public WebhookDeliveryLog(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** One attempt: SUCCEEDED, FAILED, ABANDONED (its sender stopped), CANCELLED, or null while in flight. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Attempt(int attempt, String startedAt, Integer durationMs, Integer statusCode, String outcome,
            String error) {
    }

    /** One event sent (or to be sent) to the endpoint. */
    public record Delivery(long deliveryId, String eventId, String eventType, String accountId, String state,
            int attempts, String nextAttemptAt, Integer lastStatus, String lastError, String createdAt,
            String finishedAt, List<Attempt> attemptLog) {
    }

    /** Up to {@code limit} deliveries of the endpoint with an id below {@code beforeId}, newest first. */
    public List<Delivery> page(String endpointId, long beforeId, int limit) {
        return jdbi.withHandle(handle -> {
            List<Delivery> deliveries = handle.createQuery("""
                    SELECT delivery_id, event_id, event_type, account_id, state, attempts, next_attempt_at,
                           last_status, last_error, created_at, finished_at
                    FROM webhook_deliveries WHERE endpoint_id = :endpoint AND delivery_id < :before
                    ORDER BY delivery_id DESC LIMIT :limit""")
                    .bind("endpoint", endpointId).bind("before", beforeId).bind("limit", limit)
                    .map((rows, context) -> new Delivery(rows.getLong("delivery_id"), rows.getString("event_id"),
                            rows.getString("event_type"), rows.getString("account_id"), rows.getString("state"),
                            rows.getInt("attempts"), "PENDING".equals(rows.getString("state"))
                                    ? instant(rows, "next_attempt_at") : null,
                            integer(rows, "last_status"), rows.getString("last_error"), instant(rows, "created_at"),
                            instant(rows, "finished_at"), new ArrayList<>()))
                    .list();
            if (deliveries.isEmpty()) {
                return deliveries;
            }
            Map<Long, Delivery> byId = new LinkedHashMap<>();
            deliveries.forEach(delivery -> byId.put(delivery.deliveryId(), delivery));
            handle.createQuery("""
                    SELECT delivery_id, attempt, started_at, duration_ms, status_code, outcome, error
                    FROM webhook_attempts WHERE delivery_id = ANY(:ids) ORDER BY delivery_id, attempt""")
                    .bindArray("ids", Long.class, byId.keySet().toArray())
                    .map((rows, context) -> Map.entry(rows.getLong("delivery_id"), new Attempt(rows.getInt("attempt"),
                            instant(rows, "started_at"), integer(rows, "duration_ms"), integer(rows, "status_code"),
                            rows.getString("outcome"), rows.getString("error"))))
                    .forEach(attempt -> byId.get(attempt.getKey()).attemptLog().add(attempt.getValue()));
            return deliveries;
        });
    }

    private static String instant(ResultSet rows, String column) throws SQLException {
        Timestamp value = rows.getObject(column, Timestamp.class);
        return value == null ? null : value.toInstant().toString();
    }

    private static Integer integer(ResultSet rows, String column) throws SQLException {
        int value = rows.getInt(column);
        return rows.wasNull() ? null : value;
    }
}
