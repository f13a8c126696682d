package io.paystream.processor.ledger;

import static io.paystream.processor.testing.Fixtures.aLeg;
import static io.paystream.processor.testing.Fixtures.anAccount;
import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AcquirerOperation;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.CardTopUp;
import io.paystream.schemas.avro.CardTopUpStatus;
import io.paystream.schemas.avro.ChargeStatus;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.Money;
import org.junit.jupiter.api.Test;

class CardTopUpRulesTest {
    private static final long NOW = 5_000;

    private static LedgerCommand.Builder chargeOf(long amount) {
        return aLeg(LedgerCommandType.CARD_CHARGE, PaymentType.TOPUP, null, "alice", amount).setCardToken("tok_visa");
    }

    private static LedgerCommand.Builder answer(LedgerCommand charge, ChargeStatus status) {
        return LedgerCommand.newBuilder(charge).setType(LedgerCommandType.CARD_RESULT).setCardToken(null)
                .setChargeStatus(status).setChargeId(status == ChargeStatus.DECLINED ? null : "ch_1");
    }

    private static LedgerOutcome decide(AccountState account, CardTopUp known, LedgerCommand command) {
        return LedgerRules.decide(account, new PaymentOnAccount(null, 0, false, known), command.getAccountId(),
                command, NOW, LedgerPosition.SINGLE);
    }

    private static CardTopUp charging(LedgerCommand charge) {
        return decide(anAccount("alice").build(), null, charge).cardTopUp();
    }

    @Test
    void asksForTheChargeOnlyWhenThePayeeWouldTakeTheCredit() {
        LedgerCommand charge = chargeOf(500).build();

        LedgerOutcome asked = decide(anAccount("alice").build(), null, charge);
        LedgerOutcome atTheCeiling = decide(anAccount("alice").setBalance(Money.MAX_BALANCE_MINOR - 499).build(), null,
                charge);

        assertThat(asked.cardTopUp().getStatus()).isEqualTo(CardTopUpStatus.CHARGING);
        assertThat(asked.newState()).as("nothing credited yet").isNull();
        assertThat(asked.emissions().charges()).singleElement().satisfies(request -> {
            assertThat(request.getOperation()).isEqualTo(AcquirerOperation.CHARGE);
            assertThat(request.getToken()).isEqualTo("tok_visa");
            assertThat(request.getAmount()).isEqualTo(500);
        });
        assertThat(atTheCeiling.emissions().charges()).isEmpty();
        assertThat(atTheCeiling.emissions().events()).singleElement().satisfies(event -> {
            assertThat(event.getStatus()).isEqualTo(PaymentStatus.REJECTED);
            assertThat(event.getReason()).isEqualTo(RejectionReason.AMOUNT_OVERFLOW);
        });
    }

    @Test
    void aChargeAskedAgainIsNotAskedTwice() {
        LedgerCommand charge = chargeOf(500).build();

        LedgerOutcome again = decide(anAccount("alice").build(), charging(charge), charge);

        assertThat(again.emissions().isEmpty()).isTrue();
        assertThat(again.cardTopUp()).isNull();
    }

    @Test
    void anApprovalCreditsWhatWasAskedOnceAndARepeatChangesNothing() {
        LedgerCommand charge = chargeOf(500).build();
        LedgerCommand approved = answer(charge, ChargeStatus.APPROVED).build();

        LedgerOutcome credited = decide(anAccount("alice").build(), charging(charge), approved);
        LedgerOutcome repeated = decide(credited.newState(), credited.cardTopUp(), approved);

        assertThat(credited.newState().getBalance()).isEqualTo(500);
        assertThat(credited.cardTopUp().getStatus()).isEqualTo(CardTopUpStatus.CREDITED);
        assertThat(credited.cardTopUp().getChargeId()).isEqualTo("ch_1");
        assertThat(repeated.newState()).isNull();
        assertThat(repeated.emissions().isEmpty()).isTrue();
    }

    @Test
    void anApprovalThePayeeCannotTakeOwesTheRefundAndTheConfirmationEndsThePayment() {
        LedgerCommand charge = chargeOf(500).build();
        AccountState closing = anAccount("alice").setClosing(io.paystream.schemas.avro.ClosingState.newBuilder()
                .setCommandId("close-1").setPartitions(1).setAcknowledged(java.util.List.of()).build()).build();

        LedgerOutcome owed = decide(closing, charging(charge), answer(charge, ChargeStatus.APPROVED).build());
        LedgerOutcome refunded = decide(closing, owed.cardTopUp(), answer(charge, ChargeStatus.REFUNDED).build());

        assertThat(owed.newState()).isNull();
        assertThat(owed.emissions().events()).as("not over until the refund is confirmed").isEmpty();
        assertThat(owed.emissions().audits()).extracting(a -> a.getKind())
                .containsExactly(AuditKind.REJECTION, AuditKind.CHARGE_REFUND_OWED);
        assertThat(owed.emissions().charges()).singleElement().satisfies(request -> {
            assertThat(request.getOperation()).isEqualTo(AcquirerOperation.REFUND);
            assertThat(request.getChargeId()).isEqualTo("ch_1");
        });
        assertThat(refunded.cardTopUp().getStatus()).isEqualTo(CardTopUpStatus.REFUNDED);
        assertThat(refunded.emissions().audits()).singleElement()
                .satisfies(entry -> assertThat(entry.getAmount()).isEqualTo(-500));
        assertThat(refunded.emissions().events()).singleElement().satisfies(event -> {
            assertThat(event.getStatus()).isEqualTo(PaymentStatus.REJECTED);
            assertThat(event.getReason()).isEqualTo(RejectionReason.ACCOUNT_INACTIVE);
            assertThat(event.getDetail()).endsWith("the card charge ch_1 was refunded");
        });
    }

    @Test
    void anAnswerThatContradictsTheChargeOrItsFirstAnswerIsDeadLetteredWithoutACompensation() {
        LedgerCommand charge = chargeOf(500).build();
        CardTopUp asked = charging(charge);
        CardTopUp credited = CardTopUp.newBuilder(asked).setStatus(CardTopUpStatus.CREDITED).setChargeId("ch_1")
                .build();

        for (LedgerOutcome outcome : new LedgerOutcome[] {
            decide(anAccount("alice").build(), null, answer(charge, ChargeStatus.APPROVED).build()),
            decide(anAccount("alice").build(), asked, answer(charge, ChargeStatus.APPROVED).setAmount(501).build()),
            decide(anAccount("alice").build(), asked, answer(charge, ChargeStatus.REFUNDED).build()),
            decide(anAccount("alice").build(), credited, answer(charge, ChargeStatus.DECLINED).build()),
            decide(anAccount("alice").build(), credited, answer(charge, ChargeStatus.APPROVED).setChargeId("ch_2")
                    .build())}) {
            assertThat(outcome.failure()).isNotNull();
            assertThat(outcome.emissions().isEmpty()).isTrue();
            assertThat(outcome.newState()).isNull();
            assertThat(outcome.cardTopUp()).isNull();
        }
    }
}
