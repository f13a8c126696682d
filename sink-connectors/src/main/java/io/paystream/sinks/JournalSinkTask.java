package io.paystream.sinks;

import io.paystream.schemas.avro.AuditRecord;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Copies the journal ({@code payments.audit.v1}) into {@code ledger_entries}, each account's state after every change
 * into {@code balance_history}, and what PayStream owes cardholders into {@code card_refunds_owed}.
 */
public final class JournalSinkTask extends PostgresSinkTask<AuditRecord> {
    @Override
    String table() {
        return "ledger_entries";
    }

    @Override
    Class<AuditRecord> valueType() {
        return AuditRecord.class;
    }

    @Override
    int write(Handle handle, List<AuditRecord> values) {
        List<AuditRecord> movements = values.stream().filter(JournalEntriesDao::isMovement).toList();
        JournalEntriesDao.insert(handle, movements);
        List<AuditRecord> owed = values.stream().filter(CardRefundsOwedDao::follows).toList();
        CardRefundsOwedDao.apply(handle, owed);
        // Each state is a copy of what its records already say, not an entry: the rows counted under ledger_entries
        // stay the movements (and what is owed), as the sink's metric and its alerts expect.
        BalanceHistoryDao.insert(handle, values.stream().filter(BalanceHistoryDao::follows).toList());
        return movements.size() + owed.size();
    }
}
