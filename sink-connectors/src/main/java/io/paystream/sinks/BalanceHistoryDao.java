package io.paystream.sinks;

import io.paystream.schemas.avro.AccountSnapshot;
import io.paystream.schemas.avro.AuditRecord;
import java.sql.Timestamp;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Writes each account's state after every ledger decision that changed it to {@code balance_history}: what
 * {@code GET /v1/accounts/{id}/balance?at=} answers. The records of one decision carry the same snapshot, and a
 * snapshot is identified by (account, stateSeq), so writing it again changes nothing.
 */
final class BalanceHistoryDao {
    private static final String UPSERT = "INSERT INTO balance_history (account_id, state_seq, entry_seq, balance, "
            + "held, overdraft_limit, status, changed_at) VALUES (:accountId, :stateSeq, :entrySeq, :balance, :held, "
            + ":overdraftLimit, :status, :changedAt) ON CONFLICT (account_id, state_seq) DO NOTHING";

    private BalanceHistoryDao() {
    }

    /** True for the records that carry the account's state: every record of a decision that changed it. */
    static boolean follows(AuditRecord record) {
        return record.getState() != null;
    }

    /** Adds the snapshots in one batch, inside the caller's transaction. */
    static void insert(Handle handle, List<AuditRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        PreparedBatch batch = handle.prepareBatch(UPSERT);
        for (AuditRecord record : records) {
            AccountSnapshot state = record.getState();
            batch.bind("accountId", record.getAccountId())
                    .bind("stateSeq", state.getStateSeq())
                    .bind("entrySeq", state.getEntrySeq())
                    .bind("balance", state.getBalance())
                    .bind("held", state.getHeld())
                    .bind("overdraftLimit", state.getOverdraftLimit())
                    .bind("status", state.getStatus().name())
                    .bind("changedAt", new Timestamp(state.getChangedAtMs()))
                    .add();
        }
        batch.execute();
    }
}
