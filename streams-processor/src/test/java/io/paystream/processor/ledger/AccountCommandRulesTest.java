package io.paystream.processor.ledger;

import static io.paystream.processor.testing.Fixtures.anAccount;
import static io.paystream.processor.testing.Fixtures.anAccountCommand;
import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountStatus;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.RejectionReason;
import org.junit.jupiter.api.Test;

class AccountCommandRulesTest {
    private static final long NOW = 7_000;

    private static LedgerOutcome apply(AccountState account, LedgerCommandType type) {
        return LedgerRules.apply(account, anAccountCommand(type, "alice").build(), NOW);
    }

    private static RejectionReason rejection(LedgerOutcome outcome) {
        assertThat(outcome.newState()).isNull();
        assertThat(outcome.emissions().audits()).singleElement()
                .satisfies(a -> assertThat(a.getKind()).isEqualTo(AuditKind.REJECTION));
        return outcome.emissions().audits().get(0).getReason();
    }

    @Test
    void opensAnEmptyActiveAccount() {
        LedgerOutcome outcome = LedgerRules.apply(null,
                anAccountCommand(LedgerCommandType.OPEN, "alice").setOverdraftLimit(250L).build(), NOW);

        assertThat(outcome.newState().getStatus()).isEqualTo(AccountStatus.ACTIVE);
        assertThat(outcome.newState().getBalance()).isZero();
        assertThat(outcome.newState().getEntrySeq()).isZero();
        assertThat(outcome.newState().getOverdraftLimit()).isEqualTo(250);
        assertThat(outcome.newState().getOpenedAtMs()).isEqualTo(NOW);
        assertThat(outcome.emissions().audits()).singleElement()
                .satisfies(a -> assertThat(a.getKind()).isEqualTo(AuditKind.ACCOUNT_OPENED));
    }

    @Test
    void reopeningWithTheSameParametersIsANoOp() {
        LedgerOutcome outcome = apply(anAccount("alice").setBalance(40).build(), LedgerCommandType.OPEN);

        assertThat(outcome.newState()).isNull();
        assertThat(outcome.emissions().isEmpty()).isTrue();
    }

    @Test
    void reopeningWithOtherParametersIsRefused() {
        assertThat(rejection(apply(anAccount("alice").setCurrency("EUR").build(), LedgerCommandType.OPEN)))
                .isEqualTo(RejectionReason.INVALID_REQUEST);
        assertThat(rejection(apply(anAccount("alice").setType(AccountType.MERCHANT).build(), LedgerCommandType.OPEN)))
                .isEqualTo(RejectionReason.INVALID_REQUEST);
        assertThat(rejection(apply(anAccount("alice").setOverdraftLimit(1).build(), LedgerCommandType.OPEN)))
                .isEqualTo(RejectionReason.INVALID_REQUEST);
    }

    @Test
    void freezesAndUnfreezesIdempotently() {
        AccountState active = anAccount("alice").build();
        AccountState frozen = apply(active, LedgerCommandType.FREEZE).newState();

        assertThat(frozen.getStatus()).isEqualTo(AccountStatus.FROZEN);
        assertThat(apply(frozen, LedgerCommandType.FREEZE).emissions().isEmpty()).isTrue();
        assertThat(apply(frozen, LedgerCommandType.UNFREEZE).newState().getStatus()).isEqualTo(AccountStatus.ACTIVE);
        assertThat(apply(active, LedgerCommandType.UNFREEZE).emissions().isEmpty()).isTrue();
    }

    @Test
    void refusesCommandsOnMissingOrClosedAccounts() {
        AccountState closed = anAccount("alice").setStatus(AccountStatus.CLOSED).build();
        for (LedgerCommandType type : new LedgerCommandType[] {
            LedgerCommandType.FREEZE, LedgerCommandType.UNFREEZE, LedgerCommandType.SET_LIMIT}) {
            assertThat(rejection(apply(null, type))).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
            assertThat(rejection(apply(closed, type))).isEqualTo(RejectionReason.ACCOUNT_INACTIVE);
        }
        assertThat(rejection(apply(null, LedgerCommandType.CLOSE))).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
        assertThat(apply(closed, LedgerCommandType.CLOSE).emissions().isEmpty()).isTrue();
    }

    @Test
    void closesOnlyAnEmptyAccount() {
        assertThat(rejection(apply(anAccount("alice").setBalance(1).build(), LedgerCommandType.CLOSE)))
                .isEqualTo(RejectionReason.INVALID_REQUEST);
        assertThat(rejection(apply(anAccount("alice").setBalance(-1).setOverdraftLimit(5).build(),
                LedgerCommandType.CLOSE))).isEqualTo(RejectionReason.INVALID_REQUEST);
        LedgerOutcome closing = apply(anAccount("alice").build(), LedgerCommandType.CLOSE);
        assertThat(closing.newState().getStatus()).as("waits for its payments in flight")
                .isEqualTo(AccountStatus.ACTIVE);
        assertThat(closing.newState().getClosing()).isNotNull();
    }

    /** A CLOSE on a three-partition ledger, its probe, and the answers of every partition. */
    @org.junit.jupiter.api.Nested
    class ClosingWithPaymentsInFlight {
        private static final int PARTITIONS = 3;
        private final LedgerCommand close = anAccountCommand(LedgerCommandType.CLOSE, "alice").build();

        private LedgerOutcome startClosing(AccountState account) {
            return LedgerRules.apply(account, close, NOW, new LedgerPosition(1, PARTITIONS));
        }

        private LedgerCommand probe() {
            return startClosing(anAccount("alice").build()).emissions().legs().get(0);
        }

        /** What partition {@code partition} answers to the probe. */
        private LedgerCommand ackFrom(int partition) {
            LedgerOutcome answered = LedgerRules.apply(null, probe(), NOW, new LedgerPosition(partition, PARTITIONS));
            assertThat(answered.newState()).as("a probe changes nothing where it lands").isNull();
            return answered.emissions().legs().get(0);
        }

        private AccountState acknowledge(AccountState account, int... partitions) {
            AccountState state = account;
            for (int partition : partitions) {
                LedgerOutcome outcome = LedgerRules.apply(state, ackFrom(partition), NOW);
                state = outcome.newState() == null ? state : outcome.newState();
            }
            return state;
        }

        @Test
        void anEmptyAccountProbesEveryPartitionAndRefusesDebitsAndCreditsMeanwhile() {
            LedgerOutcome closing = startClosing(anAccount("alice").build());

            assertThat(closing.newState().getClosing().getPartitions()).isEqualTo(PARTITIONS);
            assertThat(closing.newState().getClosing().getAcknowledged()).isEmpty();
            assertThat(closing.emissions().audits()).isEmpty();
            assertThat(closing.emissions().legs()).singleElement().satisfies(probe -> {
                assertThat(probe.getType()).isEqualTo(LedgerCommandType.CLOSE_PROBE);
                assertThat(probe.getAccountId()).isEqualTo("alice");
                assertThat(LedgerTopology.probesToEveryPartition("payments.ledger.v1", "alice", probe, PARTITIONS))
                        .contains(java.util.Set.of(0, 1, 2));
            });
            assertThat(LedgerTopology.probesToEveryPartition("payments.ledger.v1", "alice", close, PARTITIONS))
                    .as("any other command goes by its key").isEmpty();
            AccountState state = closing.newState();
            LedgerOutcome debit = LedgerRules.apply(state, io.paystream.processor.testing.Fixtures.aLeg(
                    LedgerCommandType.DEBIT, io.paystream.schemas.avro.PaymentType.WITHDRAWAL, "alice", null, 1)
                    .build(), NOW);
            assertThat(debit.emissions().audits().get(0).getReason()).isEqualTo(RejectionReason.ACCOUNT_INACTIVE);
            assertThat(debit.emissions().audits().get(0).getDetail()).isEqualTo("account alice is closing");
            assertThat(apply(state, LedgerCommandType.CLOSE).emissions().isEmpty()).as("a second CLOSE waits too")
                    .isTrue();
        }

        @Test
        void closesOnceEveryPartitionHasAnswered() {
            AccountState closing = startClosing(anAccount("alice").build()).newState();
            AccountState twoOfThree = acknowledge(closing, 2, 0, 2);

            assertThat(twoOfThree.getStatus()).isEqualTo(AccountStatus.ACTIVE);
            assertThat(twoOfThree.getClosing().getAcknowledged()).containsExactly(0, 2);
            LedgerOutcome last = LedgerRules.apply(twoOfThree, ackFrom(1), NOW);
            assertThat(last.newState().getStatus()).isEqualTo(AccountStatus.CLOSED);
            assertThat(last.newState().getClosing()).isNull();
            assertThat(last.emissions().audits()).singleElement()
                    .satisfies(a -> assertThat(a.getKind()).isEqualTo(AuditKind.ACCOUNT_CLOSED));
        }

        @Test
        void moneyThatCameBackWhileClosingKeepsTheAccountOpen() {
            AccountState closing = startClosing(anAccount("alice").build()).newState();
            // A reversal of a debit still in flight when the CLOSE came: it applies whatever the status.
            AccountState reversed = AccountState.newBuilder(closing).setBalance(500).build();

            LedgerOutcome last = LedgerRules.apply(acknowledge(reversed, 0, 1), ackFrom(2), NOW);

            assertThat(last.newState().getStatus()).isEqualTo(AccountStatus.ACTIVE);
            assertThat(last.newState().getClosing()).isNull();
            assertThat(last.newState().getBalance()).isEqualTo(500);
            assertThat(last.emissions().audits()).singleElement().satisfies(a -> {
                assertThat(a.getKind()).isEqualTo(AuditKind.REJECTION);
                assertThat(a.getDetail()).isEqualTo("account alice has balance 500 after the payments in flight "
                        + "settled; only an empty account can close");
            });
        }

        @Test
        void anAnswerToAnotherCloseChangesNothing() {
            AccountState closing = startClosing(anAccount("alice").build()).newState();
            LedgerCommand stale = LedgerCommand.newBuilder(ackFrom(0)).setCommandId("an-earlier-close").build();

            assertThat(LedgerRules.apply(closing, stale, NOW).newState()).isNull();
            assertThat(LedgerRules.apply(anAccount("alice").build(), ackFrom(0), NOW).newState()).isNull();
        }
    }

    @Test
    void changesTheLimitUnlessTheBalanceIsAlreadyBelowIt() {
        AccountState owing = anAccount("alice").setBalance(-100).setOverdraftLimit(150).build();

        LedgerOutcome lowered = LedgerRules.apply(owing,
                anAccountCommand(LedgerCommandType.SET_LIMIT, "alice").setOverdraftLimit(100L).build(), NOW);
        assertThat(lowered.newState().getOverdraftLimit()).isEqualTo(100);
        assertThat(lowered.emissions().audits().get(0).getKind()).isEqualTo(AuditKind.LIMIT_CHANGED);

        assertThat(rejection(LedgerRules.apply(owing,
                anAccountCommand(LedgerCommandType.SET_LIMIT, "alice").setOverdraftLimit(99L).build(), NOW)))
                .isEqualTo(RejectionReason.LIMIT_EXCEEDED);
        assertThat(LedgerRules.apply(owing,
                anAccountCommand(LedgerCommandType.SET_LIMIT, "alice").setOverdraftLimit(150L).build(), NOW)
                .emissions().isEmpty()).isTrue();
    }
}
