package io.paystream.processor.ledger;

/**
 * Where the ledger applies a command: the partition of the command's record, and how many partitions the ledger topic
 * has. Closing an account asks every partition (see {@link AccountCommandRules#close}), so the rules need both.
 *
 * @param partition the record's partition of {@code payments.ledger.v1}
 * @param partitions the partition count of {@code payments.ledger.v1}
 */
public record LedgerPosition(int partition, int partitions) {
    /** A ledger of one partition, as in a TopologyTestDriver or a rule applied on its own. */
    public static final LedgerPosition SINGLE = new LedgerPosition(0, 1);

    public LedgerPosition {
        if (partitions < 1 || partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("partition " + partition + " of " + partitions);
        }
    }
}
