package io.paystream.schemas;

import io.paystream.schemas.avro.AuditRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The journal's hash chain: each balance movement of an account carries the hash of the account's previous movement
 * ({@code prevHash}; 64 zeros before its first) and its own ({@code hash}), SHA-256 over its fields and
 * {@code prevHash}. The ledger computes both in the transaction that moves the balance, one chain per account, so no
 * lock is shared between accounts; a changed amount, a deleted or reordered entry breaks the chain at that entry,
 * and the last hash of an account (its head, kept in its state) pins everything before it.
 *
 * <p>The hashed text is {@code v1|accountId|entrySeq|kind|paymentId|amount|currency|balanceAfter|createdAtMs|
 * actionId|prevHash}, with an empty field for a null: the fields a copy of the journal keeps (PostgreSQL's
 * {@code ledger_entries} has each), so that a copy can be verified on its own.
 */
public final class JournalChain {
    /** The previous hash of an account's first hashed movement. */
    public static final String GENESIS = "0".repeat(64);

    private JournalChain() {
    }

    /** One movement as a chain sees it, from the journal or from a copy of it. */
    public record Entry(String accountId, long entrySeq, String kind, String paymentId, long amount, String currency,
            long balanceAfter, long createdAtMs, String actionId, String prevHash, String hash) {

        /** The movement {@code record} (which must be one: it has an entrySeq and a balanceAfter). */
        public static Entry of(AuditRecord record) {
            return new Entry(record.getAccountId(), record.getEntrySeq(), record.getKind().name(),
                    record.getPaymentId(), record.getAmount(), record.getCurrency(), record.getBalanceAfter(),
                    record.getCreatedAtMs(), record.getActionId(), record.getPrevHash(), record.getHash());
        }
    }

    /** The movements among {@code journal}, by account, each account's in entrySeq order: the chains to verify. */
    public static Map<String, List<Entry>> chainsOf(Collection<AuditRecord> journal) {
        Map<String, List<Entry>> chains = new TreeMap<>();
        for (AuditRecord record : journal) {
            if (record.getEntrySeq() != null && record.getBalanceAfter() != null) {
                chains.computeIfAbsent(record.getAccountId(), account -> new ArrayList<>()).add(Entry.of(record));
            }
        }
        chains.values().forEach(entries -> entries.sort(Comparator.comparingLong(Entry::entrySeq)));
        return chains;
    }

    /** The hash of {@code entry} after {@code prevHash}, in lower-case hex. */
    public static String hash(Entry entry, String prevHash) {
        String text = String.join("|", "v1", entry.accountId(), Long.toString(entry.entrySeq()), entry.kind(),
                nullToEmpty(entry.paymentId()), Long.toString(entry.amount()), nullToEmpty(entry.currency()),
                Long.toString(entry.balanceAfter()), Long.toString(entry.createdAtMs()), nullToEmpty(entry.actionId()),
                prevHash);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** {@code movement} linked after {@code prevHash} (null: the account's first): its prevHash and hash set. */
    public static AuditRecord link(AuditRecord movement, String prevHash) {
        String previous = prevHash == null ? GENESIS : prevHash;
        return AuditRecord.newBuilder(movement)
                .setPrevHash(previous)
                .setHash(hash(Entry.of(movement), previous))
                .build();
    }

    /**
     * The first broken link of one account's chain, or empty when it holds. {@code entries} are the account's
     * movements in the order a copy returns them (by entrySeq), each one more than the one before. Movements written
     * before the chain existed carry no hashes and may only come first; the first hashed movement starts the chain
     * from {@link #GENESIS}, and each after it names the previous hash and hashes to what its fields give.
     */
    public static Optional<String> firstBreak(List<Entry> entries) {
        Entry previous = null;
        for (Entry entry : entries) {
            String name = "account " + entry.accountId() + " entry " + entry.entrySeq() + " (payment "
                    + entry.paymentId() + ", " + entry.kind() + ")";
            if (previous != null && entry.entrySeq() != previous.entrySeq() + 1) {
                return Optional.of(name + " follows entry " + previous.entrySeq() + ": entries "
                        + (previous.entrySeq() + 1) + " to " + (entry.entrySeq() - 1) + " are missing or out of order");
            }
            boolean chained = previous != null && previous.hash() != null;
            if (entry.prevHash() == null || entry.hash() == null) {
                if (chained) {
                    return Optional.of(name + " carries no hash, after hashed entries");
                }
            } else if (!entry.prevHash().equals(chained ? previous.hash() : GENESIS)) {
                return Optional.of(name + " names previous hash " + entry.prevHash() + ", but "
                        + (chained ? "entry " + previous.entrySeq() + " hashes to " + previous.hash()
                                : "the chain starts from " + GENESIS + ": an entry before it is missing"));
            } else if (!hash(entry, entry.prevHash()).equals(entry.hash())) {
                return Optional.of(name + " does not match its hash: its fields were changed");
            }
            previous = entry;
        }
        return Optional.empty();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
