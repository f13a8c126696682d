package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.LedgerCommand;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the ledger decided for one command, computed before anything is written: the account's new state, the
 * changes to the {@code ledger-flows} totals, what to emit, and, when deciding threw, the failure that sends the
 * command to the dead-letter topic. The processor only writes it.
 *
 * @param newState the state to store for the command's account, or null to leave the store alone
 * @param flowDeltas what to add to each {@code ledger-flows} total (see {@link InFlight}); empty when nothing moved
 * @param emissions the records to forward
 * @param failure why deciding threw (the command is dead-lettered and {@code emissions} are its compensation), or null
 */
public record LedgerOutcome(AccountState newState, Map<String, Long> flowDeltas, Emissions emissions,
        RuntimeException failure) {
    public LedgerOutcome {
        Objects.requireNonNull(flowDeltas, "flowDeltas");
        Objects.requireNonNull(emissions, "emissions");
        flowDeltas = Map.copyOf(flowDeltas);
    }

    /** The account moves to {@code newState}; the flow deltas are added by {@link LedgerRules#decide}. */
    public LedgerOutcome(AccountState newState, Emissions emissions) {
        this(newState, Map.of(), emissions, null);
    }

    /** Nothing changes and nothing is emitted: an idempotent no-op. */
    public static LedgerOutcome unchanged() {
        return new LedgerOutcome(null, Emissions.none());
    }

    /** {@code command} is refused: the account is left as it was, and its compensation is emitted. */
    public static LedgerOutcome refused(LedgerCommand command, Rejection rejection, long nowMs) {
        return new LedgerOutcome(null, Compensations.of(command, rejection, nowMs));
    }

    /** Deciding threw: nothing changes, the command is dead-lettered, and {@code compensation} is emitted. */
    public static LedgerOutcome failed(RuntimeException failure, Emissions compensation) {
        return new LedgerOutcome(null, Map.of(), compensation, Objects.requireNonNull(failure, "failure"));
    }

    /** This outcome with the {@code ledger-flows} changes it implies. */
    LedgerOutcome withFlowDeltas(Map<String, Long> deltas) {
        return new LedgerOutcome(newState, deltas, emissions, failure);
    }
}
