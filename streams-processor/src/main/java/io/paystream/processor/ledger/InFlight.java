package io.paystream.processor.ledger;

import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.PaymentType;

/**
 * Which ledger outcomes open and close an in-flight payment: one whose first leg debited the payer and whose money is
 * neither credited to the payee nor reversed yet (DESIGN.md's conservation invariant counts these). Each ledger task
 * keeps per-currency totals in its {@code ledger-flows} store, in the same transaction as the balance it moved, so
 * the totals are exactly-once. A payment opens on the payer's task and closes on the payee's (or, reversed, on the
 * payer's), so only the sum over every task means anything: {@code sum(paystream_payments_in_flight)}.
 */
public final class InFlight {
    private InFlight() {
    }

    /**
     * +1 when {@code outcome} opened an in-flight payment, -1 when it closed one, 0 otherwise.
     *
     * @param command the command the ledger applied
     * @param outcome what the ledger decided for it
     */
    public static int delta(LedgerCommand command, LedgerOutcome outcome) {
        if (outcome.newState() == null) {
            return 0; // nothing moved: a rejection, a no-op, or an account command that changed nothing
        }
        return switch (command.getType()) {
            // Debited, and the credit leg is on its way (a WITHDRAWAL's only leg emits none).
            case DEBIT -> outcome.emissions().legs().isEmpty() ? 0 : 1;
            // The second leg landed; a TOPUP's only leg never opened anything.
            case CREDIT -> command.getPaymentType() == PaymentType.TOPUP ? 0 : -1;
            // The payer got the money back.
            case REVERSAL -> -1;
            default -> 0;
        };
    }

    /** The {@code ledger-flows} key holding how many payments are in flight in {@code currency}. */
    public static String countKey(String currency) {
        return "in_flight_count/" + currency;
    }

    /** The {@code ledger-flows} key holding the minor units in flight in {@code currency}. */
    public static String amountKey(String currency) {
        return "in_flight_amount/" + currency;
    }
}
