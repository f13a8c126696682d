package io.paystream.sinks;

import org.apache.kafka.connect.connector.Task;

/** PayStream's the ledger sink: payments.audit.v1 into ledger_entries. */
public final class AuditSinkConnector extends PostgresSinkConnector {
    @Override
    public Class<? extends Task> taskClass() {
        return AuditSinkTask.class;
    }
}
