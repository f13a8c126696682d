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

/**
 * One vocabulary for refusals: {@link Compensations} turns a refused step into its emissions, whether a rule refused it
 * or deciding threw. The INTERNAL_ERROR cases go through {@link LedgerRules#decide}'s failure path.
 */
class CompensationsTest {

    /** What the ledger emits when deciding {@code command} threw {@code failure}. */
    private static Emissions failedWith(io.paystream.schemas.avro.LedgerCommand command,
            IllegalStateException failure) {
        return Compensations.of(command, new Rejection(RejectionReason.INTERNAL_ERROR,
                io.paystream.processor.core.Failures.describe(failure)), 1);
    }

    @Test
    void aFailedDebitRejectsThePaymentAsInternalError() {
        Emissions emissions = failedWith(
                aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER, "alice", "bob", 10).build(), boom());

        assertThat(emissions.events()).singleElement().satisfies(e -> {
            assertThat(e.getStatus()).isEqualTo(PaymentStatus.REJECTED);
            assertThat(e.getReason()).isEqualTo(RejectionReason.INTERNAL_ERROR);
            assertThat(e.getDetail()).isEqualTo("internal error: IllegalStateException: boom");
        });
        assertThat(emissions.legs()).isEmpty();
    }

    @Test
    void aFailedCreditReturnsTheDebitToThePayer() {
        Emissions emissions = failedWith(
                aLeg(LedgerCommandType.CREDIT, PaymentType.TRANSFER, "alice", "bob", 10).build(), boom());

        assertThat(emissions.events()).isEmpty();
        assertThat(emissions.legs()).singleElement().satisfies(leg -> {
            assertThat(leg.getType()).isEqualTo(LedgerCommandType.REVERSAL);
            assertThat(leg.getAccountId()).isEqualTo("alice");
            assertThat(leg.getReason()).isEqualTo(RejectionReason.INTERNAL_ERROR);
        });
    }

    @Test
    void aFailedCreditWithAnUnaddressablePayerIsRejected() {
        Emissions emissions = failedWith(
                aLeg(LedgerCommandType.CREDIT, PaymentType.TRANSFER, "alice", "bob", 10).setFrom(null).build(), boom());

        assertThat(emissions.legs()).isEmpty();
        assertThat(emissions.events()).singleElement()
                .satisfies(e -> assertThat(e.getStatus()).isEqualTo(PaymentStatus.REJECTED));
    }

    @Test
    void aFailedTopUpCreditIsRejected() {
        Emissions emissions = failedWith(
                aLeg(LedgerCommandType.CREDIT, PaymentType.TOPUP, null, "bob", 10).build(), boom());

        assertThat(emissions.legs()).isEmpty();
        assertThat(emissions.events()).singleElement()
                .satisfies(e -> assertThat(e.getReason()).isEqualTo(RejectionReason.INTERNAL_ERROR));
    }

    @Test
    void aFailedReversalIsLeftToOperators() {
        assertThat(failedWith(
                aLeg(LedgerCommandType.REVERSAL, PaymentType.TRANSFER, "alice", "bob", 10).build(), boom())
                .isEmpty()).isTrue();
    }

    @Test
    void aFailedAccountCommandIsJournalledAsARejection() {
        Emissions emissions = failedWith(anAccountCommand(LedgerCommandType.OPEN, "alice").build(),
                boom());

        assertThat(emissions.audits()).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AuditKind.REJECTION);
            assertThat(a.getReason()).isEqualTo(RejectionReason.INTERNAL_ERROR);
        });
    }

    @Test
    void aDecisionThatThrowsIsDeadLetteredWithItsCompensationAndChangesNothing() {
        // A credit leg addressed to the payer's account is malformed: the rules throw.
        var misaddressed = aLeg(LedgerCommandType.CREDIT, PaymentType.TRANSFER, "alice", "bob", 10)
                .setAccountId("alice").build();

        LedgerOutcome outcome = LedgerRules.decide(null, "alice", misaddressed, 1);

        assertThat(outcome.failure()).isInstanceOf(IllegalStateException.class);
        assertThat(outcome.newState()).isNull();
        assertThat(outcome.flowDeltas()).isEmpty();
        assertThat(outcome.emissions().legs()).singleElement()
                .satisfies(leg -> assertThat(leg.getType()).isEqualTo(LedgerCommandType.REVERSAL));
    }

    @Test
    void aRecordWithoutAValueOrKeyedByAnotherAccountIsDeadLettered() {
        assertThat(LedgerRules.decide(null, "alice", null, 1).failure()).hasMessageContaining("has no value");
        LedgerOutcome misKeyed = LedgerRules.decide(null, "mallory",
                aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER, "alice", "bob", 10).build(), 1);
        assertThat(misKeyed.failure()).hasMessageContaining("is keyed mallory");
        assertThat(misKeyed.emissions().events()).singleElement()
                .satisfies(e -> assertThat(e.getStatus()).isEqualTo(PaymentStatus.REJECTED));
    }

    @Test
    void aCommandTooMalformedToAddressIsDeadLetteredWithoutCompensation() {
        var withoutType = aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER, "alice", "bob", 10).build();
        withoutType.setType(null);

        LedgerOutcome outcome = LedgerRules.decide(null, "alice", withoutType, 1);

        assertThat(outcome.failure()).isNotNull();
        assertThat(outcome.emissions().isEmpty()).isTrue();
    }

    private static IllegalStateException boom() {
        return new IllegalStateException("boom");
    }
}
