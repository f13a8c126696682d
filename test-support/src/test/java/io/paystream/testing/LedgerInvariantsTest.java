package io.paystream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountStatus;
import io.paystream.schemas.avro.AccountType;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerInvariantsTest {
    private static AccountState account(AccountStatus status, long balance) {
        return AccountState.newBuilder().setAccountId("alice").setCurrency("USD").setType(AccountType.CUSTOMER)
                .setStatus(status).setBalance(balance).setHeld(0).setOverdraftLimit(balance < 0 ? -balance : 0)
                .setEntrySeq(0).setOpenedAtMs(0).setUpdatedAtMs(0).build();
    }

    @Test
    void aClosedAccountMustBeEmpty() {
        assertThat(LedgerInvariants.violations(List.of(), List.of(), List.of(account(AccountStatus.CLOSED, 0)),
                id -> null)).isEmpty();
        // Balances without journal entries also break the journal check; the stranded money is named on its own.
        assertThat(LedgerInvariants.violations(List.of(), List.of(), List.of(account(AccountStatus.CLOSED, 500)),
                id -> null)).contains("stranded: alice is CLOSED with balance 500");
    }
}
