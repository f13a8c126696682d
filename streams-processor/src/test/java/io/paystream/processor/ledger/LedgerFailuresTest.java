package io.paystream.processor.ledger;

import static io.paystream.processor.testing.Fixtures.aLeg;
import static io.paystream.processor.testing.Fixtures.anAccountCommand;
import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.processor.core.Emissions;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import org.junit.jupiter.api.Test;

class LedgerFailuresTest {
    private static final IllegalStateException BOOM = new IllegalStateException("boom");

    @Test
    void aFailedDebitRejectsThePaymentAsInternalError() {
        Emissions emissions = LedgerFailures.compensate(
                aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER, "alice", "bob", 10).build(), BOOM, 1);

        assertThat(emissions.events()).singleElement().satisfies(e -> {
            assertThat(e.getStatus()).isEqualTo(PaymentStatus.REJECTED);
            assertThat(e.getReason()).isEqualTo(RejectionReason.INTERNAL_ERROR);
            assertThat(e.getDetail()).isEqualTo("internal error: IllegalStateException: boom");
        });
        assertThat(emissions.legs()).isEmpty();
    }

    @Test
    void aFailedCreditReturnsTheDebitToThePayer() {
        Emissions emissions = LedgerFailures.compensate(
                aLeg(LedgerCommandType.CREDIT, PaymentType.TRANSFER, "alice", "bob", 10).build(), BOOM, 1);

        assertThat(emissions.events()).isEmpty();
        assertThat(emissions.legs()).singleElement().satisfies(leg -> {
            assertThat(leg.getType()).isEqualTo(LedgerCommandType.REVERSAL);
            assertThat(leg.getAccountId()).isEqualTo("alice");
            assertThat(leg.getReason()).isEqualTo(RejectionReason.INTERNAL_ERROR);
        });
    }

    @Test
    void aFailedCreditWithAnUnaddressablePayerIsRejected() {
        Emissions emissions = LedgerFailures.compensate(
                aLeg(LedgerCommandType.CREDIT, PaymentType.TRANSFER, "alice", "bob", 10).setFrom(null).build(), BOOM,
                1);

        assertThat(emissions.legs()).isEmpty();
        assertThat(emissions.events()).singleElement()
                .satisfies(e -> assertThat(e.getStatus()).isEqualTo(PaymentStatus.REJECTED));
    }

    @Test
    void aFailedTopUpCreditIsRejected() {
        Emissions emissions = LedgerFailures.compensate(
                aLeg(LedgerCommandType.CREDIT, PaymentType.TOPUP, null, "bob", 10).build(), BOOM, 1);

        assertThat(emissions.legs()).isEmpty();
        assertThat(emissions.events()).singleElement()
                .satisfies(e -> assertThat(e.getReason()).isEqualTo(RejectionReason.INTERNAL_ERROR));
    }

    @Test
    void aFailedReversalIsLeftToOperators() {
        assertThat(LedgerFailures.compensate(
                aLeg(LedgerCommandType.REVERSAL, PaymentType.TRANSFER, "alice", "bob", 10).build(), BOOM, 1)
                .isEmpty()).isTrue();
    }

    @Test
    void aFailedAccountCommandIsJournalledAsARejection() {
        Emissions emissions = LedgerFailures.compensate(anAccountCommand(LedgerCommandType.OPEN, "alice").build(),
                BOOM, 1);

        assertThat(emissions.audits()).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AuditKind.REJECTION);
            assertThat(a.getReason()).isEqualTo(RejectionReason.INTERNAL_ERROR);
        });
    }
}
