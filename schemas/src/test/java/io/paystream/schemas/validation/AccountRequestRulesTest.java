package io.paystream.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountType;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccountRequestRulesTest {

    private static AccountRequest.Builder anOpen() {
        return AccountRequest.newBuilder()
                .setRequestId("req-1")
                .setAccountId("alice")
                .setCommand(AccountCommandType.OPEN)
                .setCurrency("EUR")
                .setAccountType(AccountType.CUSTOMER);
    }

    private static Optional<String> fieldOf(AccountRequest.Builder request) {
        return AccountRequestRules.validate(request.build()).map(Violation::field);
    }

    @Test
    void acceptsAWellFormedOpen() {
        assertThat(fieldOf(anOpen())).isEmpty();
        assertThat(fieldOf(anOpen().setOverdraftLimit(0L))).isEmpty();
        assertThat(fieldOf(anOpen().setOverdraftLimit(1_000_000_000_000_000L))).isEmpty();
    }

    @Test
    void rejectsABadOpen() {
        assertThat(fieldOf(anOpen().setCurrency(null))).contains("currency");
        assertThat(fieldOf(anOpen().setCurrency("EURO"))).contains("currency");
        assertThat(fieldOf(anOpen().setAccountType(null))).contains("type");
        assertThat(fieldOf(anOpen().setOverdraftLimit(-1L))).contains("overdraftLimit");
        assertThat(fieldOf(anOpen().setOverdraftLimit(1_000_000_000_000_001L))).contains("overdraftLimit");
        assertThat(fieldOf(anOpen().setAccountId("bad id"))).contains("accountId");
        assertThat(fieldOf(anOpen().setRequestId(""))).contains("requestId");
    }

    @Test
    void anEmailIsAPlainAddressThatCannotBreakAMailHeader() {
        for (String good : new String[] {"alice@example.com", "a.b+tag@mail.example.co.uk", "x_y@d-1.io"}) {
            assertThat(fieldOf(anOpen().setEmail(good))).as(good).isEmpty();
        }
        for (String bad : new String[] {"", "alice", "alice@", "@example.com", "alice@example", "a b@example.com",
                "alice@example.com\r\nBcc: eve@example.com", "alice@exa mple.com", "alice@-example.com",
                "\"quoted\"@example.com", "alice@example.com.", "a".repeat(250) + "@e.io"}) {
            assertThat(fieldOf(anOpen().setEmail(bad))).as(bad).contains("email");
        }
    }

    @Test
    void needsALimitToChangeIt() {
        assertThat(fieldOf(anOpen().setCommand(AccountCommandType.SET_LIMIT).setOverdraftLimit(null)))
                .contains("overdraftLimit");
        assertThat(fieldOf(anOpen().setCommand(AccountCommandType.SET_LIMIT).setOverdraftLimit(500L))).isEmpty();
    }

    @Test
    void lifecycleCommandsNeedOnlyTheAccount() {
        for (AccountCommandType command : new AccountCommandType[] {
            AccountCommandType.FREEZE, AccountCommandType.UNFREEZE, AccountCommandType.CLOSE}) {
            assertThat(fieldOf(anOpen().setCommand(command).setCurrency(null).setAccountType(null))).isEmpty();
        }
    }
}
