package io.paystream.queries.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountStatus;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.ClosingState;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccountViewTest {
    private static final AccountState ALICE = AccountState.newBuilder().setAccountId("alice").setCurrency("USD")
            .setType(AccountType.CUSTOMER).setStatus(AccountStatus.ACTIVE).setBalance(700).setHeld(200)
            .setOverdraftLimit(50).setEntrySeq(4).setOpenedAtMs(0).setUpdatedAtMs(0).build();

    @Test
    void availableIsTheBalanceLessHoldsPlusTheOverdraft() {
        AccountView view = AccountView.of(ALICE, false);

        assertThat(view.status()).isEqualTo("ACTIVE");
        assertThat(view.available()).isEqualTo(550);
        assertThat(view.stale()).isNull();
    }

    @Test
    void anAccountWaitingToCloseShowsClosing() {
        AccountState closing = AccountState.newBuilder(ALICE).setBalance(0).setHeld(0).setClosing(ClosingState
                .newBuilder().setCommandId("close-1").setPartitions(12).setAcknowledged(List.of(3)).build()).build();

        assertThat(AccountView.of(closing, true).status()).isEqualTo("CLOSING");
        assertThat(AccountView.of(closing, true).stale()).isTrue();
    }
}
