package io.paystream.processor.ledger;

import io.paystream.schemas.avro.HoldState;
import io.paystream.schemas.avro.LedgerCommand;

/**
 * The keys of the {@code hold-expiries} store: {@code <expiresAtMs, 19 digits>/<paymentId>}, so that the store's
 * byte order is expiry order and the due holds are one range scan.
 */
final class HoldIndex {
    /** Before every key. */
    static final String FIRST = "0";

    private HoldIndex() {
    }

    static String key(HoldState hold) {
        return String.format("%019d/%s", hold.getExpiresAtMs(), hold.getPaymentId());
    }

    /** The {@code atomic-deadlines} key of an atomic batch: its deadline, then its id, in the same order. */
    static String deadlineKey(long deadlineMs, String batchId) {
        return String.format("%019d/%s", deadlineMs, batchId);
    }

    /** The last key of a hold due at or before {@code nowMs}: '/' sorts before every character of a payment id. */
    static String upTo(long nowMs) {
        return String.format("%019d/~", Math.max(0, nowMs));
    }

    /** True for a TICK: reading it expires every due hold of the task, not only those of one account. */
    static boolean expiresAll(LedgerCommand command) {
        return command != null && command.getType() == io.paystream.schemas.avro.LedgerCommandType.TICK;
    }

    /** True when the command acts on its payment's hold, which the ledger then reads. */
    static boolean touchesHold(LedgerCommand command) {
        return command != null && command.getPaymentId() != null && command.getType() != null
                && switch (command.getType()) {
                    case HOLD, VOID, CAPTURE -> true;
                    default -> false;
                };
    }
}
