package io.paystream.testing;

import io.paystream.schemas.avro.AccountSnapshot;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each account's states through time, rebuilt from the journal alone: the balance by adding up its movements, held by
 * adding up its holds and releases, each state ending where the next decision's records begin. Checks that every
 * decision's {@link AccountSnapshot} (what a balance at a point in time answers) says the same, with a gapless
 * {@code stateSeq} and a clock that never goes back, and that the last state is the store's. Also what a test expects
 * {@code GET /v1/accounts/{id}/balance?at=|entrySeq=} to answer.
 */
public final class BalanceTimeline {
    private static final Set<AuditKind> MOVEMENTS = LedgerInvariants.MOVEMENTS;
    private static final Set<AuditKind> HOLDS = Set.of(AuditKind.HOLD, AuditKind.HOLD_RELEASED);

    /**
     * One state of an account, rebuilt from the journal.
     *
     * @param stateSeq the decision's stateSeq
     * @param entrySeq the account's last movement by then
     * @param balance the sum of its movements by then
     * @param held the sum of its holds and releases by then
     * @param overdraftLimit the limit then, as the snapshot says
     * @param changedAtMs when the state began (the snapshot's clock)
     * @param entries the movements the decision made, whose state right after each this is (one, seldom two)
     * @param records the journal records the decision wrote for the account
     */
    public record State(long stateSeq, long entrySeq, long balance, long held, long overdraftLimit, long changedAtMs,
            List<Long> entries, List<AuditRecord> records) {
    }

    private final Map<String, List<State>> states = new LinkedHashMap<>();
    private final Map<String, Map<Long, Long>> balanceAfter = new LinkedHashMap<>();
    private final List<String> violations = new ArrayList<>();

    private BalanceTimeline() {
    }

    /** Rebuilds every account's states from {@code audits}, each account's records in topic order. */
    public static BalanceTimeline of(List<AuditRecord> audits) {
        BalanceTimeline timeline = new BalanceTimeline();
        Map<String, long[]> sums = new LinkedHashMap<>();
        Map<String, AccountSnapshot> open = new LinkedHashMap<>();
        Map<String, List<Long>> openEntries = new LinkedHashMap<>();
        Map<String, List<AuditRecord>> openRecords = new LinkedHashMap<>();
        for (AuditRecord audit : audits) {
            String accountId = audit.getAccountId();
            boolean moves = MOVEMENTS.contains(audit.getKind()) || HOLDS.contains(audit.getKind());
            if (audit.getState() == null) {
                // Rejections (some written by other tasks, between a decision's records) change no account.
                if (moves) {
                    timeline.violations.add(audit.getKind() + " " + audit.getAuditId() + " of " + accountId
                            + " carries no account state");
                }
                continue;
            }
            AccountSnapshot pending = open.get(accountId);
            if (pending != null && audit.getState().getStateSeq() != pending.getStateSeq()) {
                timeline.close(accountId, pending, sums.get(accountId), openEntries.remove(accountId),
                        openRecords.remove(accountId));
            }
            openRecords.computeIfAbsent(accountId, id -> new ArrayList<>()).add(audit);
            long[] sum = sums.computeIfAbsent(accountId, id -> new long[2]);
            if (MOVEMENTS.contains(audit.getKind())) {
                sum[0] += audit.getAmount();
                openEntries.computeIfAbsent(accountId, id -> new ArrayList<>()).add(audit.getEntrySeq());
                timeline.balanceAfter.computeIfAbsent(accountId, id -> new LinkedHashMap<>())
                        .put(audit.getEntrySeq(), audit.getBalanceAfter());
            } else if (HOLDS.contains(audit.getKind())) {
                sum[1] += audit.getAmount();
            }
            open.put(accountId, audit.getState());
        }
        open.forEach((accountId, pending) -> timeline.close(accountId, pending, sums.get(accountId),
                openEntries.remove(accountId), openRecords.remove(accountId)));
        return timeline;
    }

    private void close(String accountId, AccountSnapshot snapshot, long[] sum, List<Long> entries,
            List<AuditRecord> records) {
        List<State> account = states.computeIfAbsent(accountId, id -> new ArrayList<>());
        State previous = account.isEmpty() ? null : account.get(account.size() - 1);
        long expectedSeq = previous == null ? 1 : previous.stateSeq() + 1;
        String at = accountId + " state " + snapshot.getStateSeq();
        if (snapshot.getStateSeq() != expectedSeq) {
            violations.add(at + " follows state " + (expectedSeq - 1) + ": stateSeq has a gap or a repeat");
        }
        if (previous != null && snapshot.getChangedAtMs() < previous.changedAtMs()) {
            violations.add(at + " began at " + snapshot.getChangedAtMs() + ", before the state it follows ("
                    + previous.changedAtMs() + ")");
        }
        if (snapshot.getBalance() != sum[0] || snapshot.getHeld() != sum[1]) {
            violations.add(at + " says balance " + snapshot.getBalance() + " held " + snapshot.getHeld()
                    + ", the journal's movements and holds add up to " + sum[0] + " and " + sum[1]);
        }
        account.add(new State(snapshot.getStateSeq(), snapshot.getEntrySeq(), sum[0], sum[1],
                snapshot.getOverdraftLimit(), snapshot.getChangedAtMs(),
                entries == null ? List.of() : List.copyOf(entries), List.copyOf(records)));
    }

    /** Every disagreement found, with the store's states: empty when the snapshots and the journal agree. */
    public List<String> violations(List<AccountState> accounts) {
        List<String> found = new ArrayList<>(violations);
        for (AccountState account : accounts) {
            List<State> timeline = states.getOrDefault(account.getAccountId(), List.of());
            State last = timeline.isEmpty() ? null : timeline.get(timeline.size() - 1);
            if (last == null ? account.getStateSeq() != 0 : last.stateSeq() != account.getStateSeq()
                    || last.balance() != account.getBalance() || last.held() != account.getHeld()
                    || last.entrySeq() != account.getEntrySeq()) {
                found.add("the last state of " + account.getAccountId() + " in the journal is " + last
                        + ", the store holds stateSeq " + account.getStateSeq() + " balance "
                        + account.getBalance() + " held " + account.getHeld() + " entrySeq "
                        + account.getEntrySeq());
            }
        }
        return found;
    }

    /** The account's states, oldest first. */
    public List<State> states(String accountId) {
        return states.getOrDefault(accountId, List.of());
    }

    /** The balance right after the account's movement {@code entrySeq}, as the journal wrote it. */
    public long balanceAfter(String accountId, long entrySeq) {
        return entrySeq == 0 ? 0 : balanceAfter.get(accountId).get(entrySeq);
    }

    /** The state in force at {@code atMs}: the latest that began at or before it, or null before the first. */
    public State at(String accountId, long atMs) {
        State found = null;
        for (State state : states(accountId)) {
            if (state.changedAtMs() <= atMs) {
                found = state;
            }
        }
        return found;
    }
}
