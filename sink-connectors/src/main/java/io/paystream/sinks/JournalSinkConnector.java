package io.paystream.sinks;

import org.apache.kafka.connect.connector.Task;

/** The journal sink: the journal (payments.audit.v1) into its PostgreSQL copy, the table ledger_entries. */
public final class JournalSinkConnector extends PostgresSinkConnector {
    @Override
    public Class<? extends Task> taskClass() {
        return JournalSinkTask.class;
    }
}
