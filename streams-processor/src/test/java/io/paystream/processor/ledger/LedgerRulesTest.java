package io.paystream.processor.ledger;

import static io.paystream.processor.testing.Fixtures.aLeg;
import static io.paystream.processor.testing.Fixtures.anAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountStatus;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LedgerRulesTest {
    private static final long NOW = 5_000;

    private static PaymentEvent onlyEvent(LedgerOutcome outcome) {
        assertThat(outcome.emissions().events()).hasSize(1);
        return outcome.emissions().events().get(0);
    }

    private static AuditRecord onlyAudit(LedgerOutcome outcome) {
        assertThat(outcome.emissions().audits()).hasSize(1);
        return outcome.emissions().audits().get(0);
    }

    @Nested
    class Debit {
        private LedgerOutcome debit(AccountState account, long amount) {
            return LedgerRules.apply(account, aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER, "alice", "bob",
                    amount).build(), NOW);
        }

        @Test
        void debitsThePayerAndAsksForTheCredit() {
            LedgerOutcome outcome = debit(anAccount("alice").setBalance(500).setEntrySeq(3).build(), 200);

            assertThat(outcome.newState().getBalance()).isEqualTo(300);
            assertThat(outcome.newState().getEntrySeq()).isEqualTo(4);
            assertThat(outcome.newState().getUpdatedAtMs()).isEqualTo(NOW);
            AuditRecord audit = onlyAudit(outcome);
            assertThat(audit.getKind()).isEqualTo(AuditKind.DEBIT);
            assertThat(audit.getAmount()).isEqualTo(-200);
            assertThat(audit.getBalanceAfter()).isEqualTo(300);
            assertThat(audit.getEntrySeq()).isEqualTo(4);
            assertThat(outcome.emissions().events()).isEmpty();
            assertThat(outcome.emissions().legs()).singleElement().satisfies(leg -> {
                assertThat(leg.getType()).isEqualTo(LedgerCommandType.CREDIT);
                assertThat(leg.getAccountId()).isEqualTo("bob");
                assertThat(leg.getAmount()).isEqualTo(200);
            });
        }

        @Test
        void debitsTheWholeBalanceExactly() {
            assertThat(debit(anAccount("alice").setBalance(200).build(), 200).newState().getBalance()).isZero();
        }

        @Test
        void refusesOneMinorUnitMoreThanTheBalanceAsInsufficientFunds() {
            LedgerOutcome outcome = debit(anAccount("alice").setBalance(200).build(), 201);

            assertThat(outcome.newState()).isNull();
            assertThat(onlyEvent(outcome).getStatus()).isEqualTo(PaymentStatus.REJECTED);
            assertThat(onlyEvent(outcome).getReason()).isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
            assertThat(onlyAudit(outcome).getKind()).isEqualTo(AuditKind.REJECTION);
            assertThat(onlyAudit(outcome).getAmount()).isZero();
            assertThat(outcome.emissions().legs()).isEmpty();
        }

        @Test
        void allowsAnOverdraftDownToTheLimitAndNotOneUnitFurther() {
            AccountState account = anAccount("alice").setBalance(100).setOverdraftLimit(50).build();

            assertThat(debit(account, 150).newState().getBalance()).isEqualTo(-50);
            LedgerOutcome refused = debit(account, 151);
            assertThat(refused.newState()).isNull();
            assertThat(onlyEvent(refused).getReason()).isEqualTo(RejectionReason.LIMIT_EXCEEDED);
        }

        @Test
        void countsHeldFundsAsUnavailable() {
            AccountState account = anAccount("alice").setBalance(100).setHeld(30).build();

            assertThat(debit(account, 70).newState().getBalance()).isEqualTo(30);
            assertThat(onlyEvent(debit(account, 71)).getReason()).isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
        }

        @Test
        void refusesAMissingAccount() {
            assertThat(onlyEvent(debit(null, 1)).getReason()).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
        }

        @Test
        void refusesFrozenAndClosedAccounts() {
            for (AccountStatus status : new AccountStatus[] {AccountStatus.FROZEN, AccountStatus.CLOSED}) {
                LedgerOutcome outcome = debit(anAccount("alice").setBalance(500).setStatus(status).build(), 1);
                assertThat(onlyEvent(outcome).getReason()).isEqualTo(RejectionReason.ACCOUNT_INACTIVE);
            }
        }

        @Test
        void refusesAnotherCurrency() {
            LedgerOutcome outcome = debit(anAccount("alice").setBalance(500).setCurrency("EUR").build(), 1);

            assertThat(onlyEvent(outcome).getReason()).isEqualTo(RejectionReason.CURRENCY_MISMATCH);
        }

        @Test
        void refusesADebitThatWouldOverflowTheBalance() {
            AccountState account = anAccount("alice").setBalance(Long.MIN_VALUE + 10).setOverdraftLimit(0).build();

            assertThat(onlyEvent(debit(account, 11)).getReason()).isEqualTo(RejectionReason.AMOUNT_OVERFLOW);
        }

        @Test
        void completesAWithdrawalAndNotifiesThePayer() {
            LedgerOutcome outcome = LedgerRules.apply(anAccount("alice").setBalance(500).build(),
                    aLeg(LedgerCommandType.DEBIT, PaymentType.WITHDRAWAL, "alice", null, 500).build(), NOW);

            assertThat(outcome.newState().getBalance()).isZero();
            assertThat(onlyEvent(outcome).getStatus()).isEqualTo(PaymentStatus.COMPLETED);
            assertThat(outcome.emissions().legs()).isEmpty();
            assertThat(outcome.emissions().notifications()).singleElement()
                    .satisfies(n -> assertThat(n.getRole()).isEqualTo(NotificationRole.PAYER));
        }

        @Test
        void throwsOnMalformedLegs() {
            AccountState account = anAccount("alice").setBalance(500).build();
            assertThatThrownBy(() -> LedgerRules.apply(account, aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER,
                    "alice", "bob", 1).setCurrency("??").build(), NOW)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> LedgerRules.apply(account, aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER,
                    "alice", "bob", 0).build(), NOW)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> LedgerRules.apply(account, aLeg(LedgerCommandType.DEBIT, PaymentType.TOPUP,
                    "alice", "bob", 1).build(), NOW)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> LedgerRules.apply(account, aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER,
                    "alice", "bob", 1).setAccountId("bob").build(), NOW)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class Credit {
        private LedgerOutcome credit(AccountState account, PaymentType type, long amount) {
            String from = type == PaymentType.TOPUP ? null : "alice";
            return LedgerRules.apply(account, aLeg(LedgerCommandType.CREDIT, type, from, "bob", amount).build(), NOW);
        }

        @Test
        void creditsThePayeeCompletesAndNotifiesBothParties() {
            LedgerOutcome outcome = credit(anAccount("bob").setBalance(5).setEntrySeq(1).build(),
                    PaymentType.TRANSFER, 200);

            assertThat(outcome.newState().getBalance()).isEqualTo(205);
            assertThat(outcome.newState().getEntrySeq()).isEqualTo(2);
            assertThat(onlyAudit(outcome).getAmount()).isEqualTo(200);
            assertThat(onlyAudit(outcome).getKind()).isEqualTo(AuditKind.CREDIT);
            assertThat(onlyEvent(outcome).getStatus()).isEqualTo(PaymentStatus.COMPLETED);
            assertThat(outcome.emissions().notifications()).extracting(n -> n.getRole() + "@" + n.getAccountId())
                    .containsExactly("PAYEE@bob", "PAYER@alice");
        }

        @Test
        void aTopUpNotifiesOnlyThePayee() {
            LedgerOutcome outcome = credit(anAccount("bob").build(), PaymentType.TOPUP, 200);

            assertThat(outcome.emissions().notifications()).extracting(n -> n.getRole())
                    .containsExactly(NotificationRole.PAYEE);
        }

        @Test
        void reversesWhenThePayeeIsMissingFrozenOrInAnotherCurrency() {
            assertReversed(credit(null, PaymentType.TRANSFER, 200), RejectionReason.ACCOUNT_NOT_FOUND);
            assertReversed(credit(anAccount("bob").setStatus(AccountStatus.FROZEN).build(), PaymentType.TRANSFER, 200),
                    RejectionReason.ACCOUNT_INACTIVE);
            assertReversed(credit(anAccount("bob").setCurrency("EUR").build(), PaymentType.TRANSFER, 200),
                    RejectionReason.CURRENCY_MISMATCH);
        }

        @Test
        void aPaymentNeedsAMerchantPayee() {
            assertReversed(credit(anAccount("bob").build(), PaymentType.PAYMENT, 200), RejectionReason.INVALID_REQUEST);
            assertThat(credit(anAccount("bob").setType(AccountType.MERCHANT).build(), PaymentType.PAYMENT, 200)
                    .newState().getBalance()).isEqualTo(200);
        }

        @Test
        void reversesACreditPastTheBalanceCeiling() {
            long ceiling = Money.MAX_BALANCE_MINOR;
            assertReversed(credit(anAccount("bob").setBalance(ceiling - 199).build(), PaymentType.TRANSFER, 200),
                    RejectionReason.AMOUNT_OVERFLOW);
            assertReversed(credit(anAccount("bob").setBalance(Long.MAX_VALUE - 1).build(), PaymentType.TRANSFER, 200),
                    RejectionReason.AMOUNT_OVERFLOW);
            assertThat(credit(anAccount("bob").setBalance(ceiling - 200).build(), PaymentType.TRANSFER, 200)
                    .newState().getBalance()).isEqualTo(ceiling);
        }

        @Test
        void rejectsATopUpItCannotCreditBecauseNothingWasDebited() {
            LedgerOutcome outcome = credit(null, PaymentType.TOPUP, 200);

            assertThat(outcome.newState()).isNull();
            assertThat(outcome.emissions().legs()).isEmpty();
            assertThat(onlyEvent(outcome).getStatus()).isEqualTo(PaymentStatus.REJECTED);
            assertThat(onlyEvent(outcome).getReason()).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
        }

        private void assertReversed(LedgerOutcome outcome, RejectionReason reason) {
            assertThat(outcome.newState()).isNull();
            assertThat(outcome.emissions().events()).isEmpty();
            assertThat(onlyAudit(outcome).getReason()).isEqualTo(reason);
            assertThat(outcome.emissions().legs()).singleElement().satisfies(leg -> {
                assertThat(leg.getType()).isEqualTo(LedgerCommandType.REVERSAL);
                assertThat(leg.getAccountId()).isEqualTo("alice");
                assertThat(leg.getReason()).isEqualTo(reason);
            });
        }
    }

    @Nested
    class Reversal {
        @Test
        void returnsTheMoneyEvenToAFrozenAccount() {
            LedgerOutcome outcome = LedgerRules.apply(
                    anAccount("alice").setBalance(300).setEntrySeq(4).setStatus(AccountStatus.FROZEN).build(),
                    aLeg(LedgerCommandType.REVERSAL, PaymentType.TRANSFER, "alice", "bob", 200)
                            .setReason(RejectionReason.ACCOUNT_NOT_FOUND).build(), NOW);

            assertThat(outcome.newState().getBalance()).isEqualTo(500);
            assertThat(outcome.newState().getEntrySeq()).isEqualTo(5);
            assertThat(onlyAudit(outcome).getKind()).isEqualTo(AuditKind.REVERSAL);
            assertThat(onlyAudit(outcome).getAmount()).isEqualTo(200);
            assertThat(onlyEvent(outcome).getStatus()).isEqualTo(PaymentStatus.REVERSED);
            assertThat(onlyEvent(outcome).getReason()).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
            assertThat(outcome.emissions().notifications()).singleElement()
                    .satisfies(n -> assertThat(n.getAccountId()).isEqualTo("alice"));
        }

        /**
         * The worst case the ceiling allows: an account at the ceiling with its overdraft, debited to its limit by
         * maximal payments still in flight, credited back to the ceiling, then every debit reversed. No overflow.
         */
        @Test
        void neverOverflowsEvenWhenEveryDebitInFlightComesBack() {
            long limit = Money.MAX_AMOUNT_MINOR;
            AccountState account = anAccount("alice").setBalance(Money.MAX_BALANCE_MINOR).setOverdraftLimit(limit)
                    .build();
            java.util.List<Long> inFlight = new java.util.ArrayList<>();
            while (true) {
                LedgerOutcome debited = debitOf(account, Money.MAX_AMOUNT_MINOR);
                if (debited.newState() == null) {
                    break;
                }
                account = debited.newState();
                inFlight.add(Money.MAX_AMOUNT_MINOR);
                if (inFlight.size() > 3_000) {
                    throw new AssertionError("the overdraft limit never stopped the debits");
                }
            }
            assertThat(account.getBalance()).isGreaterThanOrEqualTo(-limit);
            while (true) {
                LedgerOutcome credited = creditOf(account, Money.MAX_AMOUNT_MINOR);
                if (credited.newState() == null) {
                    break;
                }
                account = credited.newState();
            }
            for (long amount : inFlight) {
                account = LedgerRules.apply(account, aLeg(LedgerCommandType.REVERSAL, PaymentType.TRANSFER, "alice",
                        "bob", amount).setReason(RejectionReason.ACCOUNT_NOT_FOUND).build(), NOW).newState();
            }
            assertThat(account.getBalance()).isPositive().isLessThan(2 * Money.MAX_BALANCE_MINOR + limit + 1);
        }

        private LedgerOutcome debitOf(AccountState account, long amount) {
            return LedgerRules.apply(account, aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER, "alice", "bob",
                    amount).build(), NOW);
        }

        private LedgerOutcome creditOf(AccountState account, long amount) {
            return LedgerRules.apply(account, aLeg(LedgerCommandType.CREDIT, PaymentType.TRANSFER, "carol", "alice",
                    amount).build(), NOW);
        }

        @Test
        void refusesToReverseOntoAnAccountThatNeverExisted() {
            assertThatThrownBy(() -> LedgerRules.apply(null,
                    aLeg(LedgerCommandType.REVERSAL, PaymentType.TRANSFER, "alice", "bob", 200).build(), NOW))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
