package io.paystream.queries.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.paystream.schemas.RefundIds;
import java.sql.Timestamp;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads an account's ledger history from the {@code ledger_entries} table that the journal sink fills: oldest first,
 * one page at a time, keyed by the gapless entry sequence so that a page boundary never moves.
 */
public final class JournalHistory {
    private final Jdbi jdbi;

    public JournalHistory(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** The history database, which also holds the webhook sink's delivery log. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * One balance movement as the history API shows it; a refund's movements (REFUND, REFUND_CREDIT, REFUND_REVERSAL)
     * name the refund.
     */
    public record Entry(long entrySeq, String paymentId, String type, long amount, long balanceAfter,
            String createdAt, @JsonInclude(JsonInclude.Include.NON_NULL) String refundId) {
    }

    private static String refundId(String kind, String paymentId, String actionId) {
        return kind.startsWith("REFUND") && actionId != null ? RefundIds.of(paymentId, actionId) : null;
    }

    /** Up to {@code limit} entries of the account with an entry sequence above {@code afterSeq}, oldest first. */
    public List<Entry> page(String accountId, long afterSeq, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT entry_seq, payment_id, kind, amount, "
                + "balance_after, created_at, action_id FROM ledger_entries WHERE account_id = :account AND entry_seq > :after "
                + "ORDER BY entry_seq LIMIT :limit")
                .bind("account", accountId)
                .bind("after", afterSeq)
                .bind("limit", limit)
                .map((rows, context) -> new Entry(rows.getLong("entry_seq"), rows.getString("payment_id"),
                        rows.getString("kind"), rows.getLong("amount"), rows.getLong("balance_after"),
                        rows.getObject("created_at", Timestamp.class).toInstant().toString(),
                        refundId(rows.getString("kind"), rows.getString("payment_id"), rows.getString("action_id"))))
                .list());
    }
}
