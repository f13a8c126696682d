package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.RejectionReason;

/**
 * A client's quota of accounts, as a pure function. An OPEN_QUOTA reaches the one task that counts its client's
 * accounts (its key is {@link AccountQuota#key}); within the quota, or for an account the client already opened, it
 * goes on as the OPEN it carries, keyed by the account; beyond it, it is journalled as a NOT_PERMITTED rejection of
 * that account, and nothing is opened.
 */
public final class AccountQuotaRules {
    private AccountQuotaRules() {
    }

    /**
     * What the client's task does with {@code command}.
     *
     * @param opened how many accounts the client has opened so far
     * @param alreadyCounted whether the account in {@code command} is one of them
     * @param limit the client's quota
     */
    public static Decision decide(LedgerCommand command, long opened, boolean alreadyCounted, long limit,
            long nowMs) {
        Invariants.check(command.getType() == LedgerCommandType.OPEN_QUOTA && command.getClientId() != null
                && command.getTo() != null, "not an OPEN_QUOTA of a client and an account: %s", command.getCommandId());
        if (alreadyCounted) {
            return new Decision(false, open(command));
        }
        if (opened >= limit) {
            return new Decision(false, Emissions.builder().audit(PaymentRecords.accountEntry(command.getCommandId(),
                    command.getTo(), command.getCurrency(), AuditKind.REJECTION, RejectionReason.NOT_PERMITTED,
                    "client " + command.getClientId() + " has opened its quota of " + limit + " accounts", nowMs))
                    .build());
        }
        return new Decision(true, open(command));
    }

    private static Emissions open(LedgerCommand command) {
        return Emissions.builder().leg(LedgerCommand.newBuilder(command).setType(LedgerCommandType.OPEN)
                .setAccountId(command.getTo()).setTo(null).build()).build();
    }

    /**
     * What {@link #decide} decided.
     *
     * @param counts whether the account now counts against the client's quota (it did not before)
     * @param emissions the OPEN for the account's task, or the journalled rejection
     */
    public record Decision(boolean counts, Emissions emissions) {
    }
}
