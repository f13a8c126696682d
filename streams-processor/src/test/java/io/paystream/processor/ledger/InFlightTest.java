package io.paystream.processor.ledger;

import static io.paystream.processor.testing.Fixtures.aLeg;
import static io.paystream.processor.testing.Fixtures.anAccount;
import static io.paystream.processor.testing.Fixtures.anAccountCommand;
import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.processor.core.Emissions;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentType;
import org.junit.jupiter.api.Test;

class InFlightTest {
    private static final AccountState MOVED = anAccount("alice").build();

    private static LedgerOutcome moved(LedgerCommand next) {
        Emissions.Builder emissions = Emissions.builder();
        if (next != null) {
            emissions.leg(next);
        }
        return new LedgerOutcome(MOVED, emissions.build());
    }

    @Test
    void aDebitThatSendsACreditOpensAPayment() {
        LedgerCommand debit = aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER, "alice", "bob", 5).build();
        LedgerCommand credit = aLeg(LedgerCommandType.CREDIT, PaymentType.TRANSFER, "alice", "bob", 5).build();
        assertThat(InFlight.delta(debit, moved(credit))).isEqualTo(1);
    }

    @Test
    void aWithdrawalsOnlyLegOpensNothing() {
        LedgerCommand debit = aLeg(LedgerCommandType.DEBIT, PaymentType.WITHDRAWAL, "alice", null, 5).build();
        assertThat(InFlight.delta(debit, moved(null))).isZero();
    }

    @Test
    void aSecondLegCreditOrAReversalClosesAPayment() {
        assertThat(InFlight.delta(aLeg(LedgerCommandType.CREDIT, PaymentType.PAYMENT, "alice", "shop", 5).build(),
                moved(null))).isEqualTo(-1);
        assertThat(InFlight.delta(aLeg(LedgerCommandType.REVERSAL, PaymentType.TRANSFER, "alice", "bob", 5).build(),
                moved(null))).isEqualTo(-1);
    }

    @Test
    void aTopUpCreditOpensAndClosesNothing() {
        assertThat(InFlight.delta(aLeg(LedgerCommandType.CREDIT, PaymentType.TOPUP, null, "alice", 5).build(),
                moved(null))).isZero();
    }

    @Test
    void nothingCountsWhenNoBalanceMoved() {
        LedgerCommand debit = aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER, "alice", "bob", 5).build();
        LedgerCommand credit = aLeg(LedgerCommandType.CREDIT, PaymentType.TRANSFER, "alice", "bob", 5).build();
        assertThat(InFlight.delta(debit, LedgerOutcome.unchanged())).isZero();
        assertThat(InFlight.delta(credit, LedgerOutcome.unchanged())).isZero();
        assertThat(InFlight.delta(anAccountCommand(LedgerCommandType.OPEN, "alice").build(), moved(null))).isZero();
    }

    @Test
    void totalsWrittenByTheEarlierLongSerdeRestoreUnchanged() {
        for (long old : new long[] {0, 1, -1, -40, 1_000_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE}) {
            byte[] changelogValue = org.apache.kafka.common.serialization.Serdes.Long().serializer()
                    .serialize("ledger-flows-changelog", old);
            assertThat(InFlight.totalSerde().deserializer().deserialize("ledger-flows-changelog", changelogValue))
                    .isEqualTo(java.math.BigInteger.valueOf(old));
        }
    }

    @Test
    void totalsGoPastTheRangeOfALongAndBack() {
        java.math.BigInteger past = InFlight.add(java.math.BigInteger.valueOf(Long.MAX_VALUE), 1_000_000_000_000_000L);
        byte[] stored = InFlight.totalSerde().serializer().serialize("t", past);

        assertThat(InFlight.totalSerde().deserializer().deserialize("t", stored)).isEqualTo(past);
        assertThat(InFlight.add(past, -1_000_000_000_000_000L)).isEqualTo(java.math.BigInteger.valueOf(Long.MAX_VALUE));
        assertThat(InFlight.add(null, -5)).isEqualTo(java.math.BigInteger.valueOf(-5));
    }

    @Test
    void aCaptureOfTheWholeHoldPutsTheCapturedAmountInFlight() {
        // A capture that names no amount (0) captures the whole hold: what goes in flight is the credit leg's amount,
        // which the payee's credit takes out again.
        LedgerCommand capture = aLeg(LedgerCommandType.CAPTURE, PaymentType.TRANSFER, "alice", "bob", 1)
                .setAmount(0).build();
        LedgerCommand credit = aLeg(LedgerCommandType.CREDIT, PaymentType.TRANSFER, "alice", "bob", 300).build();
        assertThat(InFlight.deltas(capture, moved(credit)))
                .containsEntry(InFlight.countKey("USD"), 1L)
                .containsEntry(InFlight.amountKey("USD"), 300L);
        assertThat(InFlight.deltas(credit, moved(null))).containsEntry(InFlight.amountKey("USD"), -300L);
    }

    @Test
    void aRefundIsInFlightFromThePayeesDebitToThePayersCreditOrItsReturn() {
        LedgerCommand refund = aLeg(LedgerCommandType.REFUND, PaymentType.TRANSFER, "alice", "bob", 40).build();
        LedgerCommand credit = aLeg(LedgerCommandType.REFUND_CREDIT, PaymentType.TRANSFER, "alice", "bob", 40)
                .build();
        assertThat(InFlight.delta(refund, moved(credit))).isEqualTo(1);
        assertThat(InFlight.delta(refund, moved(null))).as("a refused refund sends nothing on").isZero();
        assertThat(InFlight.delta(credit, moved(null))).isEqualTo(-1);
        assertThat(InFlight.delta(credit, LedgerOutcome.unchanged())).as("refused: the return closes it").isZero();
        assertThat(InFlight.delta(aLeg(LedgerCommandType.REFUND_REVERSAL, PaymentType.TRANSFER, "alice", "bob", 40)
                .build(), moved(null))).isEqualTo(-1);
    }
}
