package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.schemas.JournalChain;
import io.paystream.schemas.avro.AccountSnapshot;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.CardTopUp;
import io.paystream.schemas.avro.HoldState;
import io.paystream.schemas.avro.LedgerCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the ledger decided for one command, computed before anything is written: the account's new state, the
 * changes to the {@code ledger-flows} totals and to the stores of the command's payment, what to emit, and, when deciding threw, the failure that sends the
 * command to the dead-letter topic. The processor only writes it.
 *
 * @param newState the state to store for the command's account, or null to leave the store alone
 * @param flowDeltas what to add to each {@code ledger-flows} total (see {@link InFlight}); empty when nothing moved
 * @param emissions the records to forward
 * @param failure why deciding threw (the command is dead-lettered and {@code emissions} are its compensation), or null
 * @param hold what happens to the payment's hold in the holds store, or null when it is left alone
 * @param refund the payment's new refunded total in the {@code refunded-amounts} store, or null when it is left alone
 * @param cardTopUp the card top-up's new entry in the {@code card-top-ups} store, or null when it is left alone
 */
public record LedgerOutcome(AccountState newState, Map<String, Long> flowDeltas, Emissions emissions,
        RuntimeException failure, HoldChange hold, RefundChange refund, CardTopUp cardTopUp) {
    public LedgerOutcome {
        Objects.requireNonNull(flowDeltas, "flowDeltas");
        Objects.requireNonNull(emissions, "emissions");
        flowDeltas = Map.copyOf(flowDeltas);
    }

    /**
     * A change to one payment's hold.
     *
     * @param paymentId the payment whose hold it is
     * @param previous the hold as it was (null when it is placed now), whose expiry index entry goes
     * @param next the hold from now on, or null when it ends (captured, voided or expired)
     */
    public record HoldChange(String paymentId, HoldState previous, HoldState next) {
    }

    /**
     * A change to what a payment has refunded, on its payee's task.
     *
     * @param paymentId the refunded payment
     * @param refunded the sum of its refunds that debited the payee and were not given back, from now on
     * @param refundId the refund that changed it, remembered for ever as applied, or null for a REFUND_REVERSAL
     */
    public record RefundChange(String paymentId, long refunded, String refundId) {
    }

    /** The account moves to {@code newState}; the flow deltas are added by {@link LedgerRules#decide}. */
    public LedgerOutcome(AccountState newState, Emissions emissions) {
        this(newState, Map.of(), emissions, null, null, null, null);
    }

    /** The account moves to {@code newState}, and a payment's hold changes. */
    public LedgerOutcome(AccountState newState, Emissions emissions, HoldChange hold) {
        this(newState, Map.of(), emissions, null, hold, null, null);
    }

    /** The account moves to {@code newState}, and what a payment has refunded changes. */
    public LedgerOutcome(AccountState newState, Emissions emissions, RefundChange refund) {
        this(newState, Map.of(), emissions, null, null, refund, null);
    }

    /** The account moves to {@code newState} (or stays, when null), and a card top-up's entry changes. */
    public LedgerOutcome(AccountState newState, Emissions emissions, CardTopUp cardTopUp) {
        this(newState, Map.of(), emissions, null, null, null, Objects.requireNonNull(cardTopUp, "cardTopUp"));
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
        return new LedgerOutcome(null, Map.of(), compensation, Objects.requireNonNull(failure, "failure"), null,
                null, null);
    }

    /**
     * This outcome as the journal keeps it for {@code accountId}: its movements linked into the account's hash chain
     * ({@link JournalChain}), each getting the previous movement's hash and its own, with the new state keeping the
     * last as the chain's head; and every record that changed the account (not a rejection) carrying the account's
     * state afterwards ({@link AccountSnapshot}), under the next {@code stateSeq}. The state's {@code updatedAtMs}
     * never goes back (records of different payers reach an account out of time order), and is the snapshot's
     * {@code changedAtMs}: a state last updated before an instant has not changed since. The account's balance
     * monitors are evaluated against the new state, and each that crossed emits its event ({@link
     * BalanceMonitorRules}).
     *
     * @param previous the account's state before the decision, or null when it did not exist
     */
    LedgerOutcome journaled(String accountId, AccountState previous) {
        if (newState == null) {
            return this;
        }
        long changedAtMs = Math.max(newState.getUpdatedAtMs(), previous == null ? 0 : previous.getUpdatedAtMs());
        if (emissions.audits().stream().noneMatch(audit -> changes(audit, accountId))) {
            return changedAtMs == newState.getUpdatedAtMs() ? this
                    : with(AccountState.newBuilder(newState).setUpdatedAtMs(changedAtMs).build(), emissions);
        }
        AccountState.Builder state = AccountState.newBuilder(newState);
        for (AuditRecord audit : emissions.audits()) {
            if (changes(audit, accountId)) {
                changedAtMs = Math.max(changedAtMs, audit.getCreatedAtMs());
            }
        }
        state.setUpdatedAtMs(changedAtMs).setStateSeq(newState.getStateSeq() + 1);
        List<BalanceEvent> crossings = List.of();
        if (!newState.getMonitors().isEmpty()) {
            BalanceMonitorRules.Evaluation evaluation = BalanceMonitorRules.evaluate(state.build(),
                    paymentOf(accountId));
            state.setMonitors(evaluation.monitors());
            crossings = evaluation.events();
        }
        AccountSnapshot snapshot = AccountSnapshot.newBuilder()
                .setStateSeq(state.getStateSeq())
                .setEntrySeq(newState.getEntrySeq())
                .setBalance(newState.getBalance())
                .setHeld(newState.getHeld())
                .setOverdraftLimit(newState.getOverdraftLimit())
                .setStatus(newState.getStatus())
                .setChangedAtMs(changedAtMs)
                .build();
        String head = newState.getJournalHash();
        List<AuditRecord> audits = new ArrayList<>(emissions.audits().size());
        for (AuditRecord audit : emissions.audits()) {
            if (changes(audit, accountId)) {
                // One copy of the record for both: the snapshot, and (for a movement) its link in the chain.
                AuditRecord.Builder journaled = AuditRecord.newBuilder(audit).setState(snapshot);
                if (isMovementOf(audit, accountId)) {
                    String prevHash = head == null ? JournalChain.GENESIS : head;
                    head = JournalChain.hash(JournalChain.Entry.of(audit), prevHash);
                    journaled.setPrevHash(prevHash).setHash(head);
                }
                audit = journaled.build();
            }
            audits.add(audit);
        }
        return with(state.setJournalHash(head).build(), emissions.withAudits(audits, crossings));
    }

    /** The payment whose records changed {@code accountId}, if a payment's did. */
    private String paymentOf(String accountId) {
        return emissions.audits().stream().filter(audit -> changes(audit, accountId) && audit.getPaymentId() != null)
                .map(AuditRecord::getPaymentId).findFirst().orElse(null);
    }

    private LedgerOutcome with(AccountState state, Emissions replaced) {
        return new LedgerOutcome(state, flowDeltas, replaced, failure, hold, refund, cardTopUp);
    }

    private static boolean isMovementOf(AuditRecord audit, String accountId) {
        return audit.getEntrySeq() != null && audit.getBalanceAfter() != null && audit.getAccountId().equals(accountId);
    }

    private static boolean changes(AuditRecord audit, String accountId) {
        return audit.getKind() != AuditKind.REJECTION && audit.getAccountId().equals(accountId);
    }

    /** This outcome with the {@code ledger-flows} changes it implies. */
    LedgerOutcome withFlowDeltas(Map<String, Long> deltas) {
        return new LedgerOutcome(newState, deltas, emissions, failure, hold, refund, cardTopUp);
    }
}
