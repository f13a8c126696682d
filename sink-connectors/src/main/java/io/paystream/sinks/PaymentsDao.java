package io.paystream.sinks;

import io.paystream.schemas.avro.PaymentEvent;
import java.sql.Timestamp;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Upserts each payment's latest status into {@code payments}. Only a payment still ACCEPTED is updated, so a terminal
 * status is never replaced, whatever order or how often events are replayed.
 */
final class PaymentsDao {
    private static final String UPSERT = "INSERT INTO payments (payment_id, type, from_account, to_account, amount, "
            + "currency, status, reason, created_at, updated_at, event_id) VALUES (:paymentId, :type, :from, :to, "
            + ":amount, :currency, :status, :reason, :createdAt, :updatedAt, :eventId) "
            + "ON CONFLICT (payment_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, "
            + "updated_at = EXCLUDED.updated_at, event_id = EXCLUDED.event_id "
            + "WHERE payments.status = 'ACCEPTED' AND EXCLUDED.status <> 'ACCEPTED'";

    private PaymentsDao() {
    }

    /** Applies the events in one batch, inside the caller's transaction. */
    static void upsert(Handle handle, List<PaymentEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        PreparedBatch batch = handle.prepareBatch(UPSERT);
        for (PaymentEvent event : events) {
            batch.bind("paymentId", event.getPaymentId())
                    .bind("type", event.getType() == null ? null : event.getType().name())
                    .bind("from", event.getFrom())
                    .bind("to", event.getTo())
                    .bind("amount", event.getAmount())
                    .bind("currency", event.getCurrency())
                    .bind("status", event.getStatus().name())
                    .bind("reason", event.getReason() == null ? null : event.getReason().name())
                    .bind("createdAt", new Timestamp(event.getRequestedAtMs()))
                    .bind("updatedAt", new Timestamp(event.getOccurredAtMs()))
                    .bind("eventId", event.getEventId())
                    .add();
        }
        batch.execute();
    }
}
