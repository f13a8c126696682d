package io.paystream.web.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiClientTest {
    private final ApiClient acme = new ApiClient("acme", Set.of(Scopes.PAYMENTS_WRITE), List.of("acme-", "shared:"));
    private final ApiClient admin = new ApiClient("ops", Set.of(Scopes.ADMIN), List.of());

    @Test
    void ownsOnlyAccountsUnderItsPrefixes() {
        assertThat(acme.owns("acme-1")).isTrue();
        assertThat(acme.owns("shared:x")).isTrue();
        assertThat(acme.owns("acme")).isFalse();
        assertThat(acme.owns("globex-1")).isFalse();
        assertThat(acme.owns(null)).isFalse();
    }

    @Test
    void holdsOnlyItsScopes() {
        assertThat(acme.hasScope(Scopes.PAYMENTS_WRITE)).isTrue();
        assertThat(acme.hasScope(Scopes.ACCOUNTS_WRITE)).isFalse();
        assertThat(acme.hasScope(Scopes.ADMIN)).isFalse();
    }

    @Test
    void adminOwnsEverythingAndHoldsEveryScope() {
        assertThat(admin.owns("globex-1")).isTrue();
        assertThat(Scopes.ALL).allSatisfy(scope -> assertThat(admin.hasScope(scope)).isTrue());
    }

    @Test
    void hashesKeysAsLowerCaseHexSha256() {
        // printf %s local-dev-key | sha256sum
        assertThat(ApiKeyAuth.sha256Hex("local-dev-key"))
                .isEqualTo("ed5a18fb8f807f996d649e379d3f35f39c543a91bdbf88c492f2ebd10d4df86c");
    }
}
