package io.paystream.processor.ledger;

import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.LedgerCommand;
import java.util.Objects;

/**
 * The ledger's decision for one command on one account: a pure function of the account's current state, the command and
 * the record timestamp. The same inputs always give the same outcome, which is what makes replay after an aborted
 * transaction safe.
 *
 * <p>Malformed commands (a leg without a payment id, an unknown amount) are programming errors upstream: the rules throw,
 * and the processor turns that into INTERNAL_ERROR and a dead letter.
 */
public final class LedgerRules {
    private LedgerRules() {
    }

    /**
     * Decides what {@code command} does to {@code account}.
     *
     * @param account the current state of the command's account, or null when it does not exist
     * @param command the command, keyed by the same account
     * @param nowMs the record timestamp, used for every timestamp the outcome carries
     */
    public static LedgerOutcome apply(AccountState account, LedgerCommand command, long nowMs) {
        Objects.requireNonNull(command, "command");
        return switch (command.getType()) {
            case DEBIT -> PaymentLegRules.debit(account, command, nowMs);
            case CREDIT -> PaymentLegRules.credit(account, command, nowMs);
            case REVERSAL -> PaymentLegRules.reversal(account, command, nowMs);
            case OPEN -> AccountCommandRules.open(account, command, nowMs);
            case FREEZE -> AccountCommandRules.freeze(account, command, nowMs);
            case UNFREEZE -> AccountCommandRules.unfreeze(account, command, nowMs);
            case CLOSE -> AccountCommandRules.close(account, command, nowMs);
            case SET_LIMIT -> AccountCommandRules.setLimit(account, command, nowMs);
        };
    }
}
