package io.paystream.sinks;

import io.paystream.schemas.PaymentStatuses;
import io.paystream.schemas.avro.PaymentEvent;
import java.sql.Timestamp;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Upserts each payment's latest status into {@code payments}. A status only moves forward (ACCEPTED, then AUTHORIZED
 * for a manual capture, then one terminal status), so a terminal status is never replaced, whatever order or how
 * often events are replayed. An event that reports a failed action (VOID_FAILED) does not change the payment and is
 * not written here.
 */
final class PaymentsDao {
    private static final String UPSERT = "INSERT INTO payments (payment_id, type, from_account, to_account, amount, "
            + "currency, status, reason, created_at, updated_at, event_id) VALUES (:paymentId, :type, :from, :to, "
            + ":amount, :currency, :status, :reason, :createdAt, :updatedAt, :eventId) "
            + "ON CONFLICT (payment_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, "
            + "updated_at = EXCLUDED.updated_at, event_id = EXCLUDED.event_id "
            + "WHERE (payments.status = 'ACCEPTED' AND EXCLUDED.status <> 'ACCEPTED') "
            + "OR (payments.status = 'AUTHORIZED' AND EXCLUDED.status NOT IN ('ACCEPTED', 'AUTHORIZED'))";

    private PaymentsDao() {
    }

    /** Applies the events in one batch, inside the caller's transaction. */
    static void upsert(Handle handle, List<PaymentEvent> events) {
        List<PaymentEvent> statuses = events.stream()
                .filter(event -> !PaymentStatuses.isActionOutcome(event.getStatus())).toList();
        if (statuses.isEmpty()) {
            return;
        }
        PreparedBatch batch = handle.prepareBatch(UPSERT);
        for (PaymentEvent event : statuses) {
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
