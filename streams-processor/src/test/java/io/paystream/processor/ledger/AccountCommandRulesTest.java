package io.paystream.processor.ledger;

import static io.paystream.processor.testing.Fixtures.anAccount;
import static io.paystream.processor.testing.Fixtures.anAccountCommand;
import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountStatus;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.AuditKind;
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
        assertThat(apply(anAccount("alice").build(), LedgerCommandType.CLOSE).newState().getStatus())
                .isEqualTo(AccountStatus.CLOSED);
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
