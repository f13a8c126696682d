package io.paystream.processor.ledger;

import io.paystream.schemas.avro.LedgerCommand;
import java.math.BigInteger;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import io.paystream.schemas.avro.PaymentType;

/**
 * Which ledger outcomes open and close an in-flight payment: one whose first leg debited the payer and whose money is
 * neither credited to the payee nor reversed yet (the conservation invariant counts these). A refund between
 * its payee's debit and its payer's credit (or its return) is in flight the same way. Each ledger task
 * keeps per-currency totals in its {@code ledger-flows} store, in the same transaction as the balance it moved, so
 * the totals are exactly-once. A payment opens on the payer's task and closes on the payee's (or, reversed, on the
 * payer's), so only the sum over every task means anything: {@code sum(paystream_payments_in_flight)}.
 */
public final class InFlight {
    private InFlight() {
    }

    /**
     * The serde of the {@code ledger-flows} totals: arbitrary-precision integers, so that no total can overflow. A task
     * whose accounts mostly send money only ever adds to its totals (the payees' tasks subtract), and a client moving
     * 10^15 at a time would take a {@code long} past its range in under 10,000 payments. The bytes are the big-endian
     * two's complement ({@link BigInteger#toByteArray}), which reads the 8-byte values of the earlier {@code Long}
     * serde unchanged, so existing changelogs restore as they are.
     */
    public static Serde<BigInteger> totalSerde() {
        return Serdes.serdeFrom((topic, total) -> total == null ? null : total.toByteArray(),
                (topic, bytes) -> bytes == null ? null : new BigInteger(bytes));
    }

    /**
     * What {@code outcome} adds to each {@code ledger-flows} total: the in-flight count and amount of the command's
     * currency, or nothing when it neither opened nor closed an in-flight payment.
     */
    public static Map<String, Long> deltas(LedgerCommand command, LedgerOutcome outcome) {
        int delta = delta(command, outcome);
        if (delta == 0) {
            return Map.of();
        }
        // What went in flight is what the next leg carries: a capture of the whole hold names no amount itself.
        long amount = delta > 0 ? outcome.emissions().legs().get(0).getAmount() : command.getAmount();
        // An amount is at most 10^15 (Money.MAX_AMOUNT_MINOR), so delta * amount cannot overflow a long.
        return Map.of(countKey(command.getCurrency()), (long) delta,
                amountKey(command.getCurrency()), delta * amount);
    }

    /** {@code total} (null when the key has none yet) plus {@code delta}; never overflows. */
    public static BigInteger add(BigInteger total, long delta) {
        return (total == null ? BigInteger.ZERO : total).add(BigInteger.valueOf(delta));
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
            case DEBIT, CAPTURE, REFUND -> outcome.emissions().legs().isEmpty() ? 0 : 1;
            // The second leg landed; a TOPUP's only leg never opened anything.
            case CREDIT -> command.getPaymentType() == PaymentType.TOPUP ? 0 : -1;
            // The payer got the money back.
            case REVERSAL -> -1;
            // A refund's money reached the payer, or came back to the payee.
            case REFUND_CREDIT, REFUND_REVERSAL -> -1;
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
