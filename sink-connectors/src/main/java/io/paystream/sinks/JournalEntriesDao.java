package io.paystream.sinks;

import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import java.sql.Timestamp;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Writes balance movements to {@code ledger_entries}. A movement is identified by (account, entrySeq), so writing it
 * again, after a task restart or a replayed offset, changes nothing.
 */
final class JournalEntriesDao {
    private static final Set<AuditKind> MOVEMENTS = Set.of(AuditKind.DEBIT, AuditKind.CREDIT, AuditKind.REVERSAL,
            AuditKind.CAPTURE, AuditKind.REFUND, AuditKind.REFUND_CREDIT, AuditKind.REFUND_REVERSAL);
    private static final String UPSERT = "INSERT INTO ledger_entries (account_id, entry_seq, payment_id, kind, amount, "
            + "balance_after, currency, created_at, audit_id, action_id, prev_hash, hash) VALUES (:accountId, :entrySeq, "
            + ":paymentId, :kind, :amount, :balanceAfter, :currency, :createdAt, :auditId, :actionId, :prevHash, :hash) "
            + "ON CONFLICT (account_id, entry_seq) DO NOTHING";

    private JournalEntriesDao() {
    }

    /** True for the records this table holds: movements. Rejections and account changes are not entries. */
    static boolean isMovement(AuditRecord record) {
        return MOVEMENTS.contains(record.getKind());
    }

    /** Adds the movements in one batch, inside the caller's transaction. */
    static void insert(Handle handle, List<AuditRecord> movements) {
        if (movements.isEmpty()) {
            return;
        }
        PreparedBatch batch = handle.prepareBatch(UPSERT);
        for (AuditRecord movement : movements) {
            batch.bind("accountId", movement.getAccountId())
                    .bind("entrySeq", movement.getEntrySeq())
                    .bind("paymentId", movement.getPaymentId())
                    .bind("kind", movement.getKind().name())
                    .bind("amount", movement.getAmount())
                    .bind("balanceAfter", movement.getBalanceAfter())
                    .bind("currency", movement.getCurrency())
                    .bind("createdAt", new Timestamp(movement.getCreatedAtMs()))
                    .bind("auditId", movement.getAuditId())
                    .bind("actionId", movement.getActionId())
                    .bind("prevHash", movement.getPrevHash())
                    .bind("hash", movement.getHash())
                    .add();
        }
        batch.execute();
    }
}
