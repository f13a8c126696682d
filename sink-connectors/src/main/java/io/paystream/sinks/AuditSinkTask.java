package io.paystream.sinks;

import io.paystream.schemas.avro.AuditRecord;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Copies the balance movements of {@code payments.audit.v1} into {@code ledger_entries}. */
public final class AuditSinkTask extends PostgresSinkTask<AuditRecord> {
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
        List<AuditRecord> movements = values.stream().filter(LedgerEntriesDao::isMovement).toList();
        LedgerEntriesDao.insert(handle, movements);
        return movements.size();
    }
}
