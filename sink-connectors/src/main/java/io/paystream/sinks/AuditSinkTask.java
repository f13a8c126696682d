package io.paystream.sinks;

import io.paystream.schemas.avro.AuditRecord;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Copies the balance movements of {@code payments.audit.v1} into {@code ledger_entries}. */
public final class AuditSinkTask extends PostgresSinkTask<AuditRecord> {
    @Override
    Class<AuditRecord> valueType() {
        return AuditRecord.class;
    }

    @Override
    void write(Handle handle, List<AuditRecord> values) {
        LedgerEntriesDao.insert(handle, values.stream().filter(LedgerEntriesDao::isMovement).toList());
    }
}
