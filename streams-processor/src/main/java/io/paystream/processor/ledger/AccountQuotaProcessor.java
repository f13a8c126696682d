package io.paystream.processor.ledger;

import io.paystream.processor.errors.FailTaskException;
import io.paystream.processor.internal.EmissionSinks;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The ledger's second reader of {@code payments.ledger.v1}: it acts on OPEN_QUOTA alone (which {@link LedgerProcessor}
 * passes over) and keeps the {@code account-quotas} store of the clients whose key falls on this task. The count and
 * the OPEN it lets through are written in the same transaction, so a crash never counts an account that was not
 * passed on, nor passes one on uncounted.
 */
final class AccountQuotaProcessor implements Processor<String, LedgerCommand, Object, Object> {
    private final EmissionSinks sinks;
    private final AccountQuota quota;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, Long> quotas;

    AccountQuotaProcessor(EmissionSinks sinks, AccountQuota quota) {
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.quota = Objects.requireNonNull(quota, "quota");
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.quotas = context.getStateStore(LedgerTopology.ACCOUNT_QUOTAS_STORE);
    }

    @Override
    public void process(Record<String, LedgerCommand> record) {
        LedgerCommand command = record.value();
        if (command == null || command.getType() != LedgerCommandType.OPEN_QUOTA) {
            return;
        }
        try {
            String client = command.getClientId();
            String member = LedgerTopology.quotaMemberKey(client, command.getTo());
            Long opened = quotas.get(client);
            AccountQuotaRules.Decision decision = AccountQuotaRules.decide(command, opened == null ? 0 : opened,
                    quotas.get(member) != null, quota.limitFor(client), record.timestamp());
            if (decision.counts()) {
                quotas.put(member, 1L);
                quotas.put(client, (opened == null ? 0 : opened) + 1);
            }
            sinks.forward(context, record, decision.emissions());
        } catch (RuntimeException e) {
            throw new FailTaskException("the account quota could not apply " + command.getCommandId()
                    + "; failing the task so that it is replayed from the last commit", e);
        }
    }
}
