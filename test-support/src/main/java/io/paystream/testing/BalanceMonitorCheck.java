package io.paystream.testing;

import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.BalanceField;
import io.paystream.schemas.avro.BalanceMonitor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Balance monitors fired exactly once per crossing: for every monitor an account still has, walks the account's states
 * from the journal (a {@link BalanceTimeline}) from the one that added it, counts each time its condition turned from
 * false to true, and checks that the balance events on {@code accounts.balance-events.v1} are exactly those crossings
 * (one each, numbered 1, 2, ... in order, naming the state that crossed and its value), and that the monitor's own
 * count in the store agrees. It compares with its own code, not the ledger's rules, so that a wrong rule shows. Shared
 * by the topology tests, the integration tests and the chaos checker.
 */
public final class BalanceMonitorCheck {
    private BalanceMonitorCheck() {
    }

    /**
     * Every violation found; empty when each crossing has exactly one event.
     *
     * @param audits the journal, each account's records in topic order
     * @param accounts every account's current state, with its monitors
     * @param events every balance event, in topic order
     */
    public static List<String> violations(List<AuditRecord> audits, List<AccountState> accounts,
            List<BalanceEvent> events) {
        Map<String, List<BalanceMonitor>> monitors = new java.util.LinkedHashMap<>();
        accounts.forEach(account -> monitors.put(account.getAccountId(), account.getMonitors()));
        return violations(audits, monitors, events);
    }

    /**
     * {@link #violations(List, List, List)} with each account's monitors as the query API shows them.
     *
     * @param monitors each account's monitors, by account id
     */
    public static List<String> violations(List<AuditRecord> audits, Map<String, List<BalanceMonitor>> monitors,
            List<BalanceEvent> events) {
        List<String> violations = new ArrayList<>();
        BalanceTimeline timeline = BalanceTimeline.of(audits);
        Map<String, List<BalanceEvent>> byMonitor = new HashMap<>();
        Set<String> eventIds = new HashSet<>();
        for (BalanceEvent event : events) {
            if (!eventIds.add(event.getEventId())) {
                violations.add("balance event " + event.getEventId() + " was written twice");
            }
            byMonitor.computeIfAbsent(event.getMonitorId(), id -> new ArrayList<>()).add(event);
        }
        monitors.forEach((accountId, ofAccount) -> {
            for (BalanceMonitor monitor : ofAccount) {
                check(monitor, timeline.states(accountId), byMonitor.getOrDefault(monitor.getMonitorId(), List.of()),
                        violations);
            }
        });
        return violations;
    }

    private static void check(BalanceMonitor monitor, List<BalanceTimeline.State> states, List<BalanceEvent> events,
            List<String> violations) {
        String id = monitor.getMonitorId();
        int added = -1;
        for (int i = 0; i < states.size() && added < 0; i++) {
            if (states.get(i).records().stream().anyMatch(r -> r.getKind() == AuditKind.MONITOR_ADDED
                    && id.equals(r.getDetail()))) {
                added = i;
            }
        }
        if (added < 0) {
            violations.add("monitor " + id + " is in the store, but no journal record added it");
            return;
        }
        boolean met = holds(monitor, states.get(added));
        List<BalanceTimeline.State> crossed = new ArrayList<>();
        for (int i = added + 1; i < states.size(); i++) {
            boolean holds = holds(monitor, states.get(i));
            if (holds && !met) {
                crossed.add(states.get(i));
            }
            met = holds;
        }
        if (crossed.size() != events.size()) {
            violations.add("monitor " + id + " crossed " + crossed.size() + " times by the journal, and has "
                    + events.size() + " events");
        }
        if (monitor.getCrossings() != crossed.size() || monitor.getMet() != met) {
            violations.add("monitor " + id + " says " + monitor.getCrossings() + " crossings (met " + monitor.getMet()
                    + "), the journal " + crossed.size() + " (met " + met + ")");
        }
        for (int i = 0; i < Math.min(crossed.size(), events.size()); i++) {
            BalanceEvent event = events.get(i);
            BalanceTimeline.State state = crossed.get(i);
            if (event.getCrossing() != i + 1 || event.getStateSeq() != state.stateSeq()
                    || event.getValue() != value(monitor.getField(), state)) {
                violations.add("event " + event.getEventId() + " (crossing " + event.getCrossing() + ", state "
                        + event.getStateSeq() + ", value " + event.getValue() + ") is not crossing " + (i + 1)
                        + " at state " + state.stateSeq() + " with value " + value(monitor.getField(), state));
            }
        }
    }

    private static long value(BalanceField field, BalanceTimeline.State state) {
        return field == BalanceField.BALANCE ? state.balance()
                : state.balance() - state.held() + state.overdraftLimit();
    }

    private static boolean holds(BalanceMonitor monitor, BalanceTimeline.State state) {
        long value = value(monitor.getField(), state);
        return switch (monitor.getOperator()) {
            case LT -> value < monitor.getAmount();
            case LTE -> value <= monitor.getAmount();
            case GT -> value > monitor.getAmount();
            case GTE -> value >= monitor.getAmount();
        };
    }
}
