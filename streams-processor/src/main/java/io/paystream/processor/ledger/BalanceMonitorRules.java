package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.validation.MonitorIds;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.BalanceField;
import io.paystream.schemas.avro.BalanceMonitor;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.RejectionReason;
import java.util.ArrayList;
import java.util.List;

/**
 * Balance monitors, as pure functions. A monitor lives in its account's state, so the ledger task that changes the
 * balance evaluates it in the same exactly-once transaction ({@link LedgerOutcome#journaled}): never by polling, and
 * never twice for one change. A crossing is the monitor's condition turning from false to true; it emits one
 * {@code balance.threshold_crossed} event, and the next only after the condition turned false again. A monitor added
 * while its condition already holds starts as met, without an event.
 */
public final class BalanceMonitorRules {
    /** The most monitors one account keeps; each is evaluated on every change of the account. */
    public static final int PER_ACCOUNT_MAX = 10;
    /** The event type of a crossing, in the event, in webhooks and in the docs. */
    public static final String THRESHOLD_CROSSED = "balance.threshold_crossed";

    private BalanceMonitorRules() {
    }

    /**
     * Adds {@code command}'s monitor: once (a repeat of the same monitor is a no-op, the same id with another
     * definition an IDEMPOTENCY_CONFLICT), to an open account.
     */
    static LedgerOutcome add(AccountState account, LedgerCommand command, long nowMs) {
        BalanceMonitor monitor = command.getMonitor();
        Invariants.check(monitor != null && MonitorIds.accountOf(monitor.getMonitorId())
                .filter(command.getAccountId()::equals).isPresent(), "ADD_MONITOR %s names no monitor of %s",
                command.getCommandId(), command.getAccountId());
        LedgerOutcome refused = AccountCommandRules.refuseUnlessOpen(account, command, nowMs);
        if (refused != null) {
            return refused;
        }
        BalanceMonitor existing = account.getMonitors().stream()
                .filter(m -> m.getMonitorId().equals(monitor.getMonitorId())).findFirst().orElse(null);
        if (existing != null) {
            // The id comes from the client's Idempotency-Key: the same key with another body is a conflict, and the
            // monitor stays as it was first defined.
            boolean same = existing.getField() == monitor.getField() && existing.getOperator() == monitor.getOperator()
                    && existing.getAmount() == monitor.getAmount();
            return same ? LedgerOutcome.unchanged() : LedgerOutcome.refused(command, new Rejection(
                    RejectionReason.IDEMPOTENCY_CONFLICT, "monitor " + monitor.getMonitorId() + " already watches "
                    + existing.getField() + " " + existing.getOperator() + " " + existing.getAmount()
                    + ": its Idempotency-Key was reused with another body"), nowMs);
        }
        if (account.getMonitors().size() >= PER_ACCOUNT_MAX) {
            return LedgerOutcome.refused(command, new Rejection(RejectionReason.NOT_PERMITTED, "account "
                    + account.getAccountId() + " has " + PER_ACCOUNT_MAX + " monitors, the most it may have"), nowMs);
        }
        List<BalanceMonitor> monitors = new ArrayList<>(account.getMonitors());
        monitors.add(BalanceMonitor.newBuilder(monitor).setMet(holds(monitor, account)).setCrossings(0)
                .setCreatedAtMs(nowMs).build());
        return changed(command, AccountState.newBuilder(account).setMonitors(monitors).setUpdatedAtMs(nowMs)
                .build(), AuditKind.MONITOR_ADDED, monitor.getMonitorId(), nowMs);
    }

    /** Removes the monitor {@code command} names; removing one that is not there is a no-op. */
    static LedgerOutcome remove(AccountState account, LedgerCommand command, long nowMs) {
        Invariants.check(command.getMonitorId() != null, "REMOVE_MONITOR %s names no monitor",
                command.getCommandId());
        if (account == null
                || account.getMonitors().stream().noneMatch(m -> m.getMonitorId().equals(command.getMonitorId()))) {
            return LedgerOutcome.unchanged();
        }
        List<BalanceMonitor> monitors = account.getMonitors().stream()
                .filter(m -> !m.getMonitorId().equals(command.getMonitorId())).toList();
        return changed(command, AccountState.newBuilder(account).setMonitors(monitors).setUpdatedAtMs(nowMs)
                .build(), AuditKind.MONITOR_REMOVED, command.getMonitorId(), nowMs);
    }

    /** What the monitor watches, in {@code state}: the balance, or balance minus holds plus the overdraft limit. */
    public static long value(BalanceField field, AccountState state) {
        return field == BalanceField.BALANCE ? state.getBalance()
                : state.getBalance() - state.getHeld() + state.getOverdraftLimit();
    }

    /** Whether the monitor's condition holds for {@code state}. */
    public static boolean holds(BalanceMonitor monitor, AccountState state) {
        long value = value(monitor.getField(), state);
        return switch (monitor.getOperator()) {
            case LT -> value < monitor.getAmount();
            case LTE -> value <= monitor.getAmount();
            case GT -> value > monitor.getAmount();
            case GTE -> value >= monitor.getAmount();
        };
    }

    /**
     * The account's monitors after a change to {@code state}, and the event of each that crossed.
     *
     * @param state the account's state after the change, stateSeq and clock included
     * @param paymentId the payment whose decision changed it, or null
     */
    static Evaluation evaluate(AccountState state, String paymentId) {
        List<BalanceMonitor> monitors = new ArrayList<>(state.getMonitors().size());
        List<BalanceEvent> events = new ArrayList<>(0);
        for (BalanceMonitor monitor : state.getMonitors()) {
            boolean holds = holds(monitor, state);
            if (holds == monitor.getMet()) {
                monitors.add(monitor);
                continue;
            }
            BalanceMonitor.Builder next = BalanceMonitor.newBuilder(monitor).setMet(holds);
            if (holds) {
                next.setCrossings(monitor.getCrossings() + 1);
                events.add(BalanceEvent.newBuilder()
                        .setEventId(monitor.getMonitorId() + ":" + next.getCrossings())
                        .setType(THRESHOLD_CROSSED)
                        .setAccountId(state.getAccountId())
                        .setMonitorId(monitor.getMonitorId())
                        .setClientId(monitor.getClientId())
                        .setField(monitor.getField())
                        .setOperator(monitor.getOperator())
                        .setThreshold(monitor.getAmount())
                        .setValue(value(monitor.getField(), state))
                        .setCurrency(state.getCurrency())
                        .setCrossing(next.getCrossings())
                        .setStateSeq(state.getStateSeq())
                        .setEntrySeq(state.getEntrySeq())
                        .setPaymentId(paymentId)
                        .setCreatedAtMs(state.getUpdatedAtMs())
                        .build());
            }
            monitors.add(next.build());
        }
        return new Evaluation(monitors, events);
    }

    /** The monitors after a change, and the crossings it caused. */
    record Evaluation(List<BalanceMonitor> monitors, List<BalanceEvent> events) {
    }

    private static LedgerOutcome changed(LedgerCommand command, AccountState state, AuditKind kind, String monitorId,
            long nowMs) {
        return new LedgerOutcome(state, Emissions.builder().audit(AccountCommandRules.accountAudit(command,
                state.getCurrency(), kind, null, monitorId, nowMs)).build());
    }
}
