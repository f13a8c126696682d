package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Failures;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.HoldState;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.RejectionReason;
import java.util.Objects;

/**
 * The ledger's decision for one command on one account: a pure function of the account's current state, the command and
 * the record timestamp. The same inputs always give the same outcome, which is what makes replay after an aborted
 * transaction safe.
 *
 * <p>Malformed commands (a leg without a payment id, an unknown amount) are programming errors upstream: the rules throw,
 * and {@link #decide} turns that into a dead letter plus the INTERNAL_ERROR compensation.
 */
public final class LedgerRules {
    private LedgerRules() {
    }

    /**
     * The whole outcome for the record {@code key -> command}: new state, {@code ledger-flows} changes and emissions.
     * It never throws, so that the processor has nothing left to decide once it starts writing: a decision that
     * throws becomes {@link LedgerOutcome#failed}, with the command's compensation ({@link Compensations}).
     *
     * @param account the current state of the record's account, or null when it does not exist
     * @param key the record key, which must be the command's account
     * @param command the command, or null for a record without a value
     * @param nowMs the record timestamp
     */
    public static LedgerOutcome decide(AccountState account, String key, LedgerCommand command, long nowMs) {
        return decide(account, PaymentOnAccount.NONE, key, command, nowMs, LedgerPosition.SINGLE);
    }

    /**
     * {@link #decide(AccountState, String, LedgerCommand, long)} with what the task keeps about the command's payment on
     * this account ({@code kept}), on a ledger of {@code position.partitions()} partitions, for a record of partition
     * {@code position.partition()}.
     */
    public static LedgerOutcome decide(AccountState account, PaymentOnAccount kept, String key,
            LedgerCommand command, long nowMs, LedgerPosition position) {
        try {
            Invariants.check(command != null, "ledger record for key %s has no value", key);
            Invariants.check(command.getAccountId() != null && command.getAccountId().equals(key),
                    "command %s for account %s is keyed %s", command.getCommandId(), command.getAccountId(), key);
            LedgerOutcome outcome = apply(account, kept, command, nowMs, position).journaled(key, account);
            return outcome.withFlowDeltas(InFlight.deltas(command, outcome));
        } catch (RuntimeException failure) {
            return LedgerOutcome.failed(failure, compensation(command, failure, nowMs));
        }
    }

    private static Emissions compensation(LedgerCommand command, RuntimeException failure, long nowMs) {
        if (command == null || command.getType() == null) {
            return Emissions.none();
        }
        try {
            return Compensations.of(command, new Rejection(RejectionReason.INTERNAL_ERROR, Failures.describe(failure)),
                    nowMs);
        } catch (RuntimeException malformed) {
            // Too malformed to address a payment or an account: the dead-letter topic keeps it for an operator.
            failure.addSuppressed(malformed);
            return Emissions.none();
        }
    }

    /**
     * Releases a hold whose time has come (EXPIRED). The ledger expires every due hold before it applies a record, with
     * the stream time that record brings; a replay of the ledger topic must do the same, in the same place.
     */
    public static LedgerOutcome expire(AccountState account, HoldState hold, long streamTimeMs) {
        return HoldRules.expire(account, hold, streamTimeMs).journaled(hold.getAccountId(), account);
    }

    /** {@link #apply(AccountState, PaymentOnAccount, LedgerCommand, long, LedgerPosition)}: nothing kept, one partition. */
    public static LedgerOutcome apply(AccountState account, LedgerCommand command, long nowMs) {
        return apply(account, PaymentOnAccount.NONE, command, nowMs, LedgerPosition.SINGLE);
    }

    /** {@link #apply(AccountState, PaymentOnAccount, LedgerCommand, long, LedgerPosition)} with nothing kept. */
    public static LedgerOutcome apply(AccountState account, LedgerCommand command, long nowMs,
            LedgerPosition position) {
        return apply(account, PaymentOnAccount.NONE, command, nowMs, position);
    }

    /**
     * Decides what {@code command} does to {@code account}.
     *
     * @param account the current state of the command's account, or null when it does not exist
     * @param kept what the task keeps about the command's payment on this account
     * @param command the command, keyed by the same account
     * @param nowMs the record timestamp, used for every timestamp the outcome carries
     * @param position the record's partition and the ledger's partition count
     */
    public static LedgerOutcome apply(AccountState account, PaymentOnAccount kept, LedgerCommand command,
            long nowMs, LedgerPosition position) {
        Objects.requireNonNull(command, "command");
        HoldState hold = kept.hold();
        long refunded = kept.refunded();
        return switch (command.getType()) {
            case DEBIT -> PaymentLegRules.debit(account, command, nowMs);
            case CREDIT -> PaymentLegRules.credit(account, command, nowMs);
            case REVERSAL -> PaymentLegRules.reversal(account, command, nowMs);
            case OPEN -> AccountCommandRules.open(account, command, nowMs);
            case FREEZE -> AccountCommandRules.freeze(account, command, nowMs);
            case UNFREEZE -> AccountCommandRules.unfreeze(account, command, nowMs);
            case CLOSE -> AccountCommandRules.close(account, command, nowMs, position.partitions());
            case SET_LIMIT -> AccountCommandRules.setLimit(account, command, nowMs);
            case CLOSE_PROBE -> AccountCommandRules.probe(command, position.partition());
            case CLOSE_ACK -> AccountCommandRules.acknowledge(account, command, nowMs);
            case HOLD -> HoldRules.hold(account, hold, command, nowMs);
            case VOID -> HoldRules.voidHold(account, hold, command, nowMs);
            case CAPTURE -> HoldRules.capture(account, hold, command, nowMs);
            // Its only effect is its timestamp, which moves this task's stream time (and so the expiry sweep) on.
            case TICK -> LedgerOutcome.unchanged();
            // A refund id is applied once, whenever it comes back: intake answers a late retry from the payment's
            // status, and this is the second line.
            case REFUND -> kept.refundApplied() ? LedgerOutcome.unchanged()
                    : RefundRules.refund(account, refunded, command, nowMs);
            case REFUND_CREDIT -> RefundRules.credit(account, command, nowMs);
            case REFUND_REVERSAL -> RefundRules.reversal(account, refunded, command, nowMs);
            case CARD_CHARGE -> CardTopUpRules.charge(account, kept.cardTopUp(), command, nowMs);
            case CARD_RESULT -> CardTopUpRules.result(account, kept.cardTopUp(), command, nowMs);
            // The client's quota task applies it (AccountQuotaRules); for the ledger it is not an account's command.
            case OPEN_QUOTA -> LedgerOutcome.unchanged();
            case PREPARE -> AtomicBatchRules.prepare(account, command, nowMs);
            // The coordinator counts votes with the batch's stores (LedgerProcessor), and the processor applies a LEGS record's legs one by one; the record itself moves nothing.
            case VOTE, LEGS -> LedgerOutcome.unchanged();
            case ADD_MONITOR -> BalanceMonitorRules.add(account, command, nowMs);
            case REMOVE_MONITOR -> BalanceMonitorRules.remove(account, command, nowMs);
        };
    }
}
