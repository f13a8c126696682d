package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.Topic;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes ledger commands through {@link LedgerRules}: reads the account, asks the rules, stores the new state and
 * forwards what they emit. If deciding throws, nothing is stored; the command goes to the dead-letter topic and
 * {@link LedgerFailures} emits the compensation.
 */
final class LedgerProcessor implements Processor<String, LedgerCommand, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerProcessor.class);

    private final Topic<String, LedgerCommand> source;
    private final EmissionSinks sinks;
    private final PaymentMetrics metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, AccountState> accounts;
    private KeyValueStore<String, Long> flows;

    LedgerProcessor(Topic<String, LedgerCommand> source, EmissionSinks sinks, PaymentMetrics metrics) {
        this.source = Objects.requireNonNull(source, "source");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.accounts = context.getStateStore(LedgerTopology.ACCOUNTS_STORE);
        this.flows = context.getStateStore(LedgerTopology.FLOWS_STORE);
    }

    @Override
    public void process(Record<String, LedgerCommand> record) {
        LedgerCommand command = record.value();
        LedgerOutcome outcome;
        try {
            Invariants.check(command != null, "ledger record for key %s has no value", record.key());
            Invariants.check(command.getAccountId().equals(record.key()), "command %s for account %s is keyed %s",
                    command.getCommandId(), command.getAccountId(), record.key());
            outcome = LedgerRules.apply(accounts.get(record.key()), command, record.timestamp());
        } catch (RuntimeException e) {
            LOG.error("ledger command failed and goes to the dead-letter topic: key={} type={}", record.key(),
                    command == null ? null : command.getType(), e);
            sinks.deadLetter(context, record, source, e, metrics);
            Emissions compensation = command == null || command.getAccountId() == null
                    ? Emissions.none()
                    : LedgerFailures.compensate(command, e, record.timestamp());
            outcome = LedgerOutcome.emitOnly(compensation);
        }
        if (outcome.newState() != null) {
            accounts.put(record.key(), outcome.newState());
            countInFlight(command, outcome);
            if (command.getType() == LedgerCommandType.REVERSAL) {
                metrics.reversalApplied(command.getCurrency(), command.getReason());
            }
        }
        sinks.forward(context, record, outcome.emissions());
    }

    private void countInFlight(LedgerCommand command, LedgerOutcome outcome) {
        int delta = InFlight.delta(command, outcome);
        if (delta != 0) {
            add(InFlight.countKey(command.getCurrency()), delta);
            add(InFlight.amountKey(command.getCurrency()), delta * command.getAmount());
        }
    }

    private void add(String key, long delta) {
        Long current = flows.get(key);
        flows.put(key, Math.addExact(current == null ? 0 : current, delta));
    }
}
