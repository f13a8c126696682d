package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.schemas.avro.AccountState;
import java.util.Objects;

/**
 * What the ledger decided for one command: the account's new state (null when it is unchanged) and what to emit.
 *
 * @param newState the state to store for the command's account, or null to leave the store alone
 * @param emissions the records to forward
 */
public record LedgerOutcome(AccountState newState, Emissions emissions) {
    public LedgerOutcome {
        Objects.requireNonNull(emissions, "emissions");
    }

    /** Nothing changes and nothing is emitted: an idempotent no-op. */
    public static LedgerOutcome unchanged() {
        return new LedgerOutcome(null, Emissions.none());
    }

    /** Only emissions; the account is left as it was. */
    public static LedgerOutcome emitOnly(Emissions emissions) {
        return new LedgerOutcome(null, emissions);
    }
}
