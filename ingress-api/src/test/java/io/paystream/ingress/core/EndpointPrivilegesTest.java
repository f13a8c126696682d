package io.paystream.ingress.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.WebhookEndpoint;
import io.paystream.schemas.avro.WebhookEndpointStatus;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EndpointPrivilegesTest {
    private static WebhookEndpoint endpoint(String clientId, boolean admin, String... prefixes) {
        return WebhookEndpoint.newBuilder().setEndpointId("we_" + clientId).setClientId(clientId).setAdmin(admin)
                .setOwnedAccountPrefixes(List.of(prefixes)).setUrl("https://93.184.215.14/").setEvents(List.of())
                .setSecret("whsec_x").setStatus(WebhookEndpointStatus.ENABLED).setCreatedAtMs(1).setUpdatedAtMs(1)
                .build();
    }

    private static ApiClient client(String clientId, Set<String> scopes, String... prefixes) {
        return new ApiClient(clientId, scopes, List.of(prefixes));
    }

    @Test
    void anEndpointFollowsItsClientsPrefixesAndAdminFlagAsConfiguredNow() {
        List<WebhookEndpoint> changes = EndpointPrivileges.changes(List.of(
                endpoint("acme", false, "acme-", "acme-eu-"),
                endpoint("ops", true),
                endpoint("globex", false, "globex-")), List.of(
                        client("acme", Set.of(Scopes.WEBHOOKS_WRITE), "acme-"),
                        client("acme", Set.of(Scopes.ACCOUNTS_READ), "acme-"),
                        client("ops", Set.of(Scopes.WEBHOOKS_WRITE), "ops-"),
                        client("globex", Set.of(Scopes.WEBHOOKS_WRITE), "globex-")), 10);

        assertThat(changes).extracting(WebhookEndpoint::getClientId).containsExactly("acme", "ops");
        assertThat(changes.get(0).getOwnedAccountPrefixes()).as("acme-eu- was taken away").containsExactly("acme-");
        assertThat(changes.get(1).getAdmin()).as("admin was revoked").isFalse();
        assertThat(changes.get(1).getOwnedAccountPrefixes()).containsExactly("ops-");
        assertThat(changes).allSatisfy(change -> assertThat(change.getUpdatedAtMs()).isGreaterThan(1));
    }

    @Test
    void anEndpointWhoseClientLostWebhooksWriteOrIsGoneIsDisabledOnce() {
        WebhookEndpoint gone = endpoint("initech", false, "initech-");
        WebhookEndpoint readOnly = endpoint("acme", false, "acme-");
        List<WebhookEndpoint> changes = EndpointPrivileges.changes(List.of(gone, readOnly),
                List.of(client("acme", Set.of(Scopes.ACCOUNTS_READ), "acme-")), 10);

        assertThat(changes).hasSize(2).allSatisfy(change -> {
            assertThat(change.getStatus()).isEqualTo(WebhookEndpointStatus.DISABLED);
            assertThat(change.getDisabledReason()).isEqualTo(EndpointPrivileges.NO_LONGER_ALLOWED);
        });
        assertThat(EndpointPrivileges.changes(changes, List.of(), 20)).as("already disabled").isEmpty();
    }
}
