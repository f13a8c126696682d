package io.paystream.processor.ledger;

import static io.paystream.processor.testing.Fixtures.aLeg;
import static io.paystream.processor.testing.Fixtures.anAccount;
import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.ClosingState;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.Money;
import org.junit.jupiter.api.Test;

/** The refund legs as pure rules: every transition and every refusal, on one account at a time. */
class RefundRulesTest {
    private static final long NOW = 5_000;
    private static final String ACTION = "0b5c3a4e-8e8f-4d0e-9a59-3c1f1c1f2d11";

    private static LedgerCommand.Builder leg(LedgerCommandType type, long amount) {
        return aLeg(type, PaymentType.TRANSFER, "alice", "bob", amount)
                .setAccountId(type == LedgerCommandType.REFUND_CREDIT ? "alice" : "bob")
                .setActionId(ACTION)
                .setRefundableAmount(type == LedgerCommandType.REFUND ? 300L : null);
    }

    private static LedgerOutcome decide(AccountState account, long refunded, LedgerCommand command) {
        return LedgerRules.decide(account, new PaymentOnAccount(null, refunded, false, null),
                command.getAccountId(), command, NOW, LedgerPosition.SINGLE);
    }

    @Test
    void aRefundDebitsThePayeeCountsItAndSendsTheCreditToThePayer() {
        LedgerOutcome outcome = decide(anAccount("bob").setBalance(500).build(), 100,
                leg(LedgerCommandType.REFUND, 200).build());

        assertThat(outcome.newState().getBalance()).isEqualTo(300);
        assertThat(outcome.newState().getEntrySeq()).isEqualTo(1);
        assertThat(outcome.refund()).isEqualTo(new LedgerOutcome.RefundChange(outcome.emissions().legs().get(0)
                .getPaymentId(), 300, ACTION));
        assertThat(outcome.emissions().legs()).singleElement().satisfies(credit -> {
            assertThat(credit.getType()).isEqualTo(LedgerCommandType.REFUND_CREDIT);
            assertThat(credit.getAccountId()).isEqualTo("alice");
            assertThat(credit.getCommandId()).endsWith(":REFUND_CREDIT:" + ACTION);
        });
        assertThat(outcome.emissions().audits()).singleElement().satisfies(entry -> {
            assertThat(entry.getKind()).isEqualTo(AuditKind.REFUND);
            assertThat(entry.getAmount()).isEqualTo(-200);
            assertThat(entry.getAuditId()).endsWith(":REFUND:" + ACTION);
        });
        assertThat(outcome.flowDeltas()).containsEntry(InFlight.countKey("USD"), 1L);
    }

    @Test
    void aRefundIdAppliedBeforeIsNeverAppliedAgainWhateverItsAge() {
        LedgerCommand refund = leg(LedgerCommandType.REFUND, 200).build();

        LedgerOutcome outcome = LedgerRules.decide(anAccount("bob").setBalance(500).build(),
                new PaymentOnAccount(null, 200, true, null), "bob", refund, NOW, LedgerPosition.SINGLE);

        assertThat(outcome.newState()).isNull();
        assertThat(outcome.refund()).isNull();
        assertThat(outcome.emissions().isEmpty()).isTrue();
    }

    @Test
    void thePayeeRefusesWhatItCannotRefund() {
        AccountState bob = anAccount("bob").setBalance(500).build();
        assertRefused(decide(bob, 200, leg(LedgerCommandType.REFUND, 101).build()),
                RejectionReason.EXCEEDS_REFUNDABLE);
        assertRefused(decide(anAccount("bob").setBalance(50).build(), 0, leg(LedgerCommandType.REFUND, 60).build()),
                RejectionReason.INSUFFICIENT_FUNDS);
        assertRefused(decide(anAccount("bob").setBalance(50).setOverdraftLimit(5).build(), 0,
                leg(LedgerCommandType.REFUND, 60).build()), RejectionReason.LIMIT_EXCEEDED);
        assertRefused(decide(anAccount("bob").setBalance(500).setHeld(450).build(), 0,
                leg(LedgerCommandType.REFUND, 60).build()), RejectionReason.INSUFFICIENT_FUNDS);
        assertRefused(decide(null, 0, leg(LedgerCommandType.REFUND, 60).build()), RejectionReason.ACCOUNT_NOT_FOUND);
        assertRefused(decide(closing("bob", 500), 0, leg(LedgerCommandType.REFUND, 60).build()),
                RejectionReason.ACCOUNT_INACTIVE);
        assertRefused(decide(bob, 0, leg(LedgerCommandType.REFUND, 60).setCurrency("EUR").build()),
                RejectionReason.CURRENCY_MISMATCH);
    }

    private static void assertRefused(LedgerOutcome outcome, RejectionReason reason) {
        assertThat(outcome.newState()).isNull();
        assertThat(outcome.refund()).isNull();
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.emissions().legs()).isEmpty();
        assertThat(outcome.emissions().events()).singleElement().satisfies(event -> {
            assertThat(event.getStatus()).isEqualTo(PaymentStatus.REFUND_FAILED);
            assertThat(event.getReason()).isEqualTo(reason);
            assertThat(event.getActionId()).isEqualTo(ACTION);
        });
        assertThat(outcome.emissions().notifications()).singleElement().satisfies(n -> {
            assertThat(n.getAccountId()).isEqualTo("bob");
            assertThat(n.getStatus()).isEqualTo(PaymentStatus.REFUND_FAILED);
            assertThat(n.getReason()).isEqualTo(reason);
        });
    }

    private static AccountState closing(String accountId, long balance) {
        return anAccount(accountId).setBalance(balance)
                .setClosing(ClosingState.newBuilder().setCommandId("close").setPartitions(1).setAcknowledged(java.util.List.of()).build()).build();
    }

    @Test
    void thePayerTakesTheRefundAndBothPartiesHearOfIt() {
        LedgerOutcome outcome = decide(anAccount("alice").setBalance(10).build(), 0,
                leg(LedgerCommandType.REFUND_CREDIT, 200).build());

        assertThat(outcome.newState().getBalance()).isEqualTo(210);
        assertThat(outcome.emissions().events()).singleElement().satisfies(event -> {
            assertThat(event.getStatus()).isEqualTo(PaymentStatus.REFUND_SUCCEEDED);
            assertThat(event.getEventId()).endsWith(":REFUND_SUCCEEDED:" + ACTION);
            assertThat(event.getAmount()).isEqualTo(200);
        });
        assertThat(outcome.emissions().notifications()).extracting(n -> n.getAccountId() + ":" + n.getActionId())
                .containsExactlyInAnyOrder("alice:" + ACTION, "bob:" + ACTION);
        assertThat(outcome.flowDeltas()).containsEntry(InFlight.countKey("USD"), -1L);
    }

    @Test
    void aPayerThatCannotTakeItSendsTheRefundBackToThePayee() {
        LedgerCommand credit = leg(LedgerCommandType.REFUND_CREDIT, 200).build();
        for (AccountState payer : new AccountState[] {null, closing("alice", 0),
                anAccount("alice").setStatus(io.paystream.schemas.avro.AccountStatus.FROZEN).build(),
                anAccount("alice").setBalance(Money.MAX_BALANCE_MINOR).build()}) {
            LedgerOutcome outcome = decide(payer, 0, credit);
            assertThat(outcome.newState()).isNull();
            assertThat(outcome.emissions().events()).isEmpty();
            assertThat(outcome.emissions().legs()).singleElement().satisfies(back -> {
                assertThat(back.getType()).isEqualTo(LedgerCommandType.REFUND_REVERSAL);
                assertThat(back.getAccountId()).isEqualTo("bob");
                assertThat(back.getReason()).isNotNull();
            });
            assertThat(outcome.emissions().audits()).singleElement().satisfies(entry ->
                    assertThat(entry.getAuditId()).endsWith(":REJECTION:REFUND_CREDIT:" + ACTION));
        }
    }

    @Test
    void theReturnRepaysThePayeeWhateverItsStatusAndMayBeRefundedAgain() {
        AccountState frozen = anAccount("bob").setStatus(io.paystream.schemas.avro.AccountStatus.FROZEN)
                .setBalance(100).build();
        LedgerOutcome outcome = decide(frozen, 250, leg(LedgerCommandType.REFUND_REVERSAL, 200)
                .setReason(RejectionReason.ACCOUNT_INACTIVE).build());

        assertThat(outcome.newState().getBalance()).isEqualTo(300);
        assertThat(outcome.refund().refunded()).isEqualTo(50);
        assertThat(outcome.emissions().notifications()).extracting(n -> n.getAccountId() + ":" + n.getStatus())
                .containsExactly("bob:REFUND_FAILED");
        assertThat(outcome.emissions().events()).singleElement().satisfies(event -> {
            assertThat(event.getStatus()).isEqualTo(PaymentStatus.REFUND_FAILED);
            assertThat(event.getReason()).isEqualTo(RejectionReason.ACCOUNT_INACTIVE);
        });
    }

    @Test
    void malformedRefundLegsAreDeadLetteredWithTheRightCompensation() {
        // No refundable amount on the REFUND: dead-lettered, and the refund fails as INTERNAL_ERROR.
        LedgerOutcome refund = decide(anAccount("bob").setBalance(500).build(), 0,
                leg(LedgerCommandType.REFUND, 10).setRefundableAmount(null).build());
        assertThat(refund.failure()).hasMessageContaining("refundable amount");
        assertThat(refund.emissions().events()).singleElement().satisfies(event ->
                assertThat(event.getReason()).isEqualTo(RejectionReason.INTERNAL_ERROR));
        // A return of more than was refunded: dead-lettered, nothing compensates it (an operator must look).
        LedgerOutcome back = decide(anAccount("bob").build(), 5, leg(LedgerCommandType.REFUND_REVERSAL, 10).build());
        assertThat(back.failure()).hasMessageContaining("which refunded 5");
        assertThat(back.emissions().events()).isEmpty();
        assertThat(back.emissions().legs()).isEmpty();
        // A credit that throws is returned to the payee.
        LedgerOutcome credit = decide(anAccount("alice").build(), 0,
                leg(LedgerCommandType.REFUND_CREDIT, 10).setAccountId("alice").setFrom("carol").build());
        assertThat(credit.failure()).isNotNull();
    }
}
