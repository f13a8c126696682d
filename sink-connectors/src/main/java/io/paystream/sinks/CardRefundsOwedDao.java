package io.paystream.sinks;

import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import java.sql.Timestamp;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Keeps {@code card_refunds_owed}: a row when the journal says a card charge is owed back (CHARGE_REFUND_OWED), its
 * {@code refunded_at} once the acquirer confirmed the refund (CHARGE_REFUNDED). Both writes are idempotent, so a
 * replayed offset changes nothing; a confirmation that comes before its row (it cannot, on one account's partition)
 * would write nothing rather than invent a row.
 */
final class CardRefundsOwedDao {
    private static final String OWE = "INSERT INTO card_refunds_owed (payment_id, account_id, amount, currency, reason, "
            + "detail, owed_at) VALUES (:paymentId, :accountId, :amount, :currency, :reason, :detail, :at) "
            + "ON CONFLICT (payment_id) DO NOTHING";
    private static final String REFUNDED = "UPDATE card_refunds_owed SET refunded_at = :at "
            + "WHERE payment_id = :paymentId AND refunded_at IS NULL";

    private CardRefundsOwedDao() {
    }

    /** True for the journal entries this table follows. */
    static boolean follows(AuditRecord record) {
        return record.getKind() == AuditKind.CHARGE_REFUND_OWED || record.getKind() == AuditKind.CHARGE_REFUNDED;
    }

    /** Applies the entries in journal order, inside the caller's transaction. */
    static void apply(Handle handle, List<AuditRecord> entries) {
        if (entries.isEmpty()) {
            return;
        }
        PreparedBatch owe = handle.prepareBatch(OWE);
        PreparedBatch refunded = handle.prepareBatch(REFUNDED);
        for (AuditRecord entry : entries) {
            if (entry.getKind() == AuditKind.CHARGE_REFUND_OWED) {
                owe.bind("paymentId", entry.getPaymentId())
                        .bind("accountId", entry.getAccountId())
                        .bind("amount", entry.getAmount())
                        .bind("currency", entry.getCurrency())
                        .bind("reason", entry.getReason() == null ? null : entry.getReason().name())
                        .bind("detail", entry.getDetail())
                        .bind("at", new Timestamp(entry.getCreatedAtMs()))
                        .add();
            } else {
                refunded.bind("paymentId", entry.getPaymentId())
                        .bind("at", new Timestamp(entry.getCreatedAtMs()))
                        .add();
            }
        }
        // Every row first, then the confirmations: a batch may hold both entries of one payment.
        if (owe.size() > 0) {
            owe.execute();
        }
        if (refunded.size() > 0) {
            refunded.execute();
        }
    }
}
