package io.paystream.ingress.core;

import io.paystream.schemas.avro.WebhookEndpoint;
import io.paystream.schemas.avro.WebhookEndpointStatus;
import io.paystream.webhooks.EndpointRegistry;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a webhook endpoint may receive follows its client's keys as they are configured now, not as they were when it
 * was registered: an endpoint records its owner's prefixes and admin flag, and the webhook sink delivers by them, so
 * when the keys change (a prefix taken away, admin revoked, the client removed) the registrations must change too.
 * This is the rule; the ingress applies it at start, when it reads its keys.
 */
public final class EndpointPrivileges {
    /** Why an endpoint was disabled because its client lost the right to have one. */
    public static final String NO_LONGER_ALLOWED = "its client no longer holds webhooks:write";

    private EndpointPrivileges() {
    }

    /**
     * The registrations to write so that every endpoint receives what its client's keys allow now: its owner's
     * current prefixes and admin flag (the union over the client's keys); DISABLED when no key of the client holds
     * {@code webhooks:write} any more. Endpoints already in line are left alone.
     *
     * @param endpoints every registered endpoint
     * @param clients every configured key's client (a client id may have several keys)
     * @param nowMs the time of the change
     */
    public static List<WebhookEndpoint> changes(Collection<WebhookEndpoint> endpoints, List<ApiClient> clients,
            long nowMs) {
        Map<String, List<ApiClient>> keysOf = clients.stream().collect(Collectors.groupingBy(ApiClient::clientId));
        List<WebhookEndpoint> changes = new ArrayList<>();
        for (WebhookEndpoint endpoint : endpoints) {
            List<ApiClient> keys = keysOf.getOrDefault(endpoint.getClientId(), List.of());
            if (keys.stream().noneMatch(key -> key.hasScope(Scopes.WEBHOOKS_WRITE))) {
                if (endpoint.getStatus() == WebhookEndpointStatus.ENABLED) {
                    changes.add(WebhookEndpoint.newBuilder(endpoint).setStatus(WebhookEndpointStatus.DISABLED)
                            .setDisabledReason(NO_LONGER_ALLOWED)
                            .setUpdatedAtMs(EndpointRegistry.nextVersionAt(endpoint, nowMs)).build());
                }
                continue;
            }
            boolean admin = keys.stream().anyMatch(ApiClient::isAdmin);
            List<String> prefixes = List.copyOf(keys.stream().flatMap(key -> key.ownedAccountPrefixes().stream())
                    .collect(Collectors.toCollection(TreeSet::new)));
            if (endpoint.getAdmin() != admin
                    || !new TreeSet<>(endpoint.getOwnedAccountPrefixes()).equals(new TreeSet<>(prefixes))) {
                changes.add(WebhookEndpoint.newBuilder(endpoint).setAdmin(admin).setOwnedAccountPrefixes(prefixes)
                        .setUpdatedAtMs(EndpointRegistry.nextVersionAt(endpoint, nowMs)).build());
            }
        }
        return changes;
    }
}
