package io.paystream.queries.history;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads an account's past states from the {@code balance_history} table that the journal sink fills: one row per
 * ledger decision that changed the account, numbered by its gapless {@code stateSeq}. Because the sink copies an
 * account's journal in order, a copy that holds a state holds every earlier one.
 */
public final class BalanceHistory {
    private static final String COLUMNS = "state_seq, entry_seq, balance, held, overdraft_limit, status, changed_at";

    private final Jdbi jdbi;

    public BalanceHistory(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** The account's state after one decision, from {@code changedAt} until its next change. */
    public record State(long stateSeq, long entrySeq, long balance, long held, long overdraftLimit, String status,
            Instant changedAt) {
        static State of(ResultSet rows) throws SQLException {
            return new State(rows.getLong("state_seq"), rows.getLong("entry_seq"), rows.getLong("balance"),
                    rows.getLong("held"), rows.getLong("overdraft_limit"), rows.getString("status"),
                    rows.getObject("changed_at", Timestamp.class).toInstant());
        }
    }

    /** The latest state the copy holds that began at or before {@code at}, if any. */
    public Optional<State> at(String accountId, Instant at) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM balance_history "
                + "WHERE account_id = :account AND changed_at <= :at ORDER BY state_seq DESC LIMIT 1")
                .bind("account", accountId)
                .bind("at", Timestamp.from(at))
                .map((rows, context) -> State.of(rows))
                .findOne());
    }

    /** Whether the copy holds a state of the account that began after {@code at}: then it is complete up to then. */
    public boolean changedAfter(String accountId, Instant at) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT EXISTS (SELECT 1 FROM balance_history "
                + "WHERE account_id = :account AND changed_at > :at)")
                .bind("account", accountId)
                .bind("at", Timestamp.from(at))
                .mapTo(Boolean.class)
                .one());
    }

    /** The latest stateSeq the copy holds for the account, 0 when none. */
    public long latestStateSeq(String accountId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COALESCE(MAX(state_seq), 0) FROM balance_history "
                + "WHERE account_id = :account")
                .bind("account", accountId)
                .mapTo(Long.class)
                .one());
    }

    /**
     * The account's state right after its movement {@code entrySeq} (0: when it opened), if the copy holds it. One
     * decision may make two movements of an account (a refund and its reversal); the state after the first of them
     * takes its balance from that movement and the rest from the decision.
     */
    public Optional<State> afterEntry(String accountId, long entrySeq) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT s.state_seq, s.entry_seq, "
                + "COALESCE(e.balance_after, s.balance) AS balance, s.held, s.overdraft_limit, s.status, "
                + "COALESCE(e.created_at, s.changed_at) AS changed_at FROM balance_history s "
                + "LEFT JOIN ledger_entries e ON e.account_id = s.account_id AND e.entry_seq = :entry AND :entry > 0 "
                + "WHERE s.account_id = :account AND s.entry_seq >= :entry ORDER BY s.state_seq LIMIT 1")
                .bind("account", accountId)
                .bind("entry", entrySeq)
                .map((rows, context) -> new State(rows.getLong("state_seq"), entrySeq, rows.getLong("balance"),
                        rows.getLong("held"), rows.getLong("overdraft_limit"), rows.getString("status"),
                        rows.getObject("changed_at", Timestamp.class).toInstant()))
                .findOne());
    }
}
