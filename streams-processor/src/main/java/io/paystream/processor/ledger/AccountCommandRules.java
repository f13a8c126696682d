package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountStatus;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.ClosingState;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.Money;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Account lifecycle on the ledger: OPEN, FREEZE, UNFREEZE, CLOSE and SET_LIMIT. They run in the ledger task that owns
 * the account, so an account has exactly one writer. Repeating a command that already took effect is a no-op, so
 * client retries are harmless.
 */
final class AccountCommandRules {
    private AccountCommandRules() {
    }

    /** Opens an account with balance 0. Re-opening with the same parameters is a no-op; with others it is refused. */
    static LedgerOutcome open(AccountState account, LedgerCommand command, long nowMs) {
        long limit = command.getOverdraftLimit() == null ? 0 : command.getOverdraftLimit();
        Invariants.check(Money.isCurrency(command.getCurrency()), "OPEN %s has currency %s", command.getCommandId(),
                command.getCurrency());
        Invariants.check(command.getAccountType() != null, "OPEN %s has no account type", command.getCommandId());
        checkLimit(command, limit);
        if (account != null) {
            boolean same = account.getCurrency().equals(command.getCurrency())
                    && account.getType() == command.getAccountType()
                    && account.getOverdraftLimit() == limit
                    && java.util.Objects.equals(account.getEmail(), command.getEmail());
            return same ? LedgerOutcome.unchanged() : refuse(command, RejectionReason.INVALID_REQUEST,
                    "account " + command.getAccountId() + " already exists with other parameters", nowMs);
        }
        AccountState opened = AccountState.newBuilder()
                .setAccountId(command.getAccountId())
                .setCurrency(command.getCurrency())
                .setType(command.getAccountType())
                .setStatus(AccountStatus.ACTIVE)
                .setBalance(0)
                .setHeld(0)
                .setOverdraftLimit(limit)
                .setEntrySeq(0)
                .setOpenedAtMs(nowMs)
                .setUpdatedAtMs(nowMs)
                .setEmail(command.getEmail())
                .build();
        return changed(command, opened, AuditKind.ACCOUNT_OPENED, nowMs);
    }

    /** Stops debits and credits (reversals still apply). Freezing a frozen account is a no-op. */
    static LedgerOutcome freeze(AccountState account, LedgerCommand command, long nowMs) {
        LedgerOutcome refused = refuseUnlessOpen(account, command, nowMs);
        if (refused != null) {
            return refused;
        }
        if (account.getStatus() == AccountStatus.FROZEN) {
            return LedgerOutcome.unchanged();
        }
        return changed(command, withStatus(account, AccountStatus.FROZEN, nowMs), AuditKind.ACCOUNT_FROZEN, nowMs);
    }

    /** Makes a frozen account usable again. Unfreezing an active account is a no-op. */
    static LedgerOutcome unfreeze(AccountState account, LedgerCommand command, long nowMs) {
        LedgerOutcome refused = refuseUnlessOpen(account, command, nowMs);
        if (refused != null) {
            return refused;
        }
        if (account.getStatus() == AccountStatus.ACTIVE) {
            return LedgerOutcome.unchanged();
        }
        return changed(command, withStatus(account, AccountStatus.ACTIVE, nowMs), AuditKind.ACCOUNT_UNFROZEN, nowMs);
    }

    /**
     * Starts closing an account for good. Only an empty account can close, so that no money is stranded in it; but an
     * empty account may still have debits in flight, whose credits sit on other partitions and may yet come back as
     * reversals. So the account stops taking debits and credits and asks every ledger partition, with a CLOSE_PROBE,
     * to answer once it has applied everything it held before the probe: each credit leg this account's debits sent
     * was written to its partition before the probe, and any reversal that partition sends back is written to this
     * account's partition before its CLOSE_ACK. When every partition has answered, {@link #acknowledge} closes the
     * account if it is still empty, or refuses the CLOSE if money came back.
     *
     * @param partitions how many ledger partitions must answer
     */
    static LedgerOutcome close(AccountState account, LedgerCommand command, long nowMs, int partitions) {
        if (account == null) {
            return refuse(command, RejectionReason.ACCOUNT_NOT_FOUND,
                    "account " + command.getAccountId() + " does not exist", nowMs);
        }
        if (account.getStatus() == AccountStatus.CLOSED || account.getClosing() != null) {
            return LedgerOutcome.unchanged();
        }
        if (account.getBalance() != 0 || account.getHeld() != 0) {
            return refuse(command, RejectionReason.INVALID_REQUEST,
                    "account " + command.getAccountId() + " has balance " + account.getBalance()
                            + "; only an empty account can close", nowMs);
        }
        AccountState closing = AccountState.newBuilder(account)
                .setClosing(ClosingState.newBuilder().setCommandId(command.getCommandId()).setPartitions(partitions)
                        .setAcknowledged(List.of()).build())
                .setUpdatedAtMs(nowMs)
                .build();
        LedgerCommand probe = LedgerCommand.newBuilder()
                .setCommandId(command.getCommandId())
                .setType(LedgerCommandType.CLOSE_PROBE)
                .setAccountId(command.getAccountId())
                .setCurrency(account.getCurrency())
                .setRequestedAtMs(command.getRequestedAtMs())
                .build();
        return new LedgerOutcome(closing, Emissions.builder().leg(probe).build());
    }

    /**
     * A CLOSE_PROBE reached this partition: everything written here before it has been applied, so answer the closing
     * account with a CLOSE_ACK. The probe's account usually lives on another partition; nothing here is changed.
     */
    static LedgerOutcome probe(LedgerCommand probe, int partition) {
        LedgerCommand ack = LedgerCommand.newBuilder(probe)
                .setType(LedgerCommandType.CLOSE_ACK)
                .setPartition(partition)
                .build();
        return new LedgerOutcome(null, Emissions.builder().leg(ack).build());
    }

    /**
     * A partition answered the closing account's probe. Once all have, the account closes if it is still empty;
     * otherwise a payment in flight returned money to it, and the CLOSE is refused with the balance it now has.
     * An answer to a CLOSE that is no longer in progress, or a repeated one, changes nothing.
     */
    static LedgerOutcome acknowledge(AccountState account, LedgerCommand ack, long nowMs) {
        ClosingState closing = account == null ? null : account.getClosing();
        if (closing == null || !closing.getCommandId().equals(ack.getCommandId())) {
            return LedgerOutcome.unchanged();
        }
        Invariants.check(ack.getPartition() != null && ack.getPartition() >= 0
                && ack.getPartition() < closing.getPartitions(), "CLOSE_ACK %s from partition %s of %d",
                ack.getCommandId(), ack.getPartition(), closing.getPartitions());
        Set<Integer> acknowledged = new TreeSet<>(closing.getAcknowledged());
        if (!acknowledged.add(ack.getPartition())) {
            return LedgerOutcome.unchanged();
        }
        if (acknowledged.size() < closing.getPartitions()) {
            return new LedgerOutcome(AccountState.newBuilder(account)
                    .setClosing(ClosingState.newBuilder(closing).setAcknowledged(List.copyOf(acknowledged)).build())
                    .build(), Emissions.none());
        }
        LedgerCommand close = LedgerCommand.newBuilder(ack).setType(LedgerCommandType.CLOSE).setPartition(null)
                .build();
        AccountState settled = AccountState.newBuilder(account).setClosing(null).setUpdatedAtMs(nowMs).build();
        if (account.getBalance() != 0 || account.getHeld() != 0) {
            return new LedgerOutcome(settled, Emissions.builder().audit(accountAudit(close, account.getCurrency(),
                    AuditKind.REJECTION, RejectionReason.INVALID_REQUEST, "account " + account.getAccountId()
                            + " has balance " + account.getBalance() + " after the payments in flight settled; "
                            + "only an empty account can close", nowMs)).build());
        }
        return changed(close, withStatus(settled, AccountStatus.CLOSED, nowMs), AuditKind.ACCOUNT_CLOSED, nowMs);
    }

    /** Changes the overdraft limit. A limit below what the account already owes is refused with LIMIT_EXCEEDED. */
    static LedgerOutcome setLimit(AccountState account, LedgerCommand command, long nowMs) {
        Invariants.check(command.getOverdraftLimit() != null, "SET_LIMIT %s has no limit", command.getCommandId());
        long limit = command.getOverdraftLimit();
        checkLimit(command, limit);
        LedgerOutcome refused = refuseUnlessOpen(account, command, nowMs);
        if (refused != null) {
            return refused;
        }
        if (account.getOverdraftLimit() == limit) {
            return LedgerOutcome.unchanged();
        }
        if (account.getBalance() - account.getHeld() < -limit) {
            return refuse(command, RejectionReason.LIMIT_EXCEEDED,
                    "balance " + account.getBalance() + " is already below -" + limit, nowMs);
        }
        AccountState updated = AccountState.newBuilder(account).setOverdraftLimit(limit).setUpdatedAtMs(nowMs).build();
        return changed(command, updated, AuditKind.LIMIT_CHANGED, nowMs);
    }

    /** ACCOUNT_NOT_FOUND or ACCOUNT_INACTIVE (closed) for {@code command}, or null when the account is open. */
    static LedgerOutcome refuseUnlessOpen(AccountState account, LedgerCommand command, long nowMs) {
        if (account == null) {
            return refuse(command, RejectionReason.ACCOUNT_NOT_FOUND,
                    "account " + command.getAccountId() + " does not exist", nowMs);
        }
        if (account.getStatus() == AccountStatus.CLOSED) {
            return refuse(command, RejectionReason.ACCOUNT_INACTIVE,
                    "account " + command.getAccountId() + " is CLOSED", nowMs);
        }
        return null;
    }

    private static void checkLimit(LedgerCommand command, long limit) {
        Invariants.check(limit >= 0 && limit <= Money.MAX_AMOUNT_MINOR, "%s %s has overdraft limit %d",
                command.getType(), command.getCommandId(), limit);
    }

    private static AccountState withStatus(AccountState account, AccountStatus status, long nowMs) {
        return AccountState.newBuilder(account).setStatus(status).setUpdatedAtMs(nowMs).build();
    }

    private static LedgerOutcome changed(LedgerCommand command, AccountState state, AuditKind kind, long nowMs) {
        return new LedgerOutcome(state, Emissions.builder().audit(accountAudit(command, state.getCurrency(), kind,
                null, null, nowMs)).build());
    }

    private static LedgerOutcome refuse(LedgerCommand command, RejectionReason reason, String detail, long nowMs) {
        return LedgerOutcome.refused(command, new Rejection(reason, detail), nowMs);
    }

    /** A journal entry about an account command; id {@code commandId:KIND}. No money moves. */
    static AuditRecord accountAudit(LedgerCommand command, String currency, AuditKind kind, RejectionReason reason,
            String detail, long nowMs) {
        return PaymentRecords.accountEntry(command.getCommandId(), command.getAccountId(), currency, kind, reason,
                detail, nowMs);
    }
}
