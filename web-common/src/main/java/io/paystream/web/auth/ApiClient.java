package io.paystream.web.auth;

import java.security.Principal;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The authenticated caller: an API client with scopes and the account-id prefixes it owns. A client may debit and read
 * only accounts it owns; {@code admin} owns every account and holds every scope.
 *
 * @param clientId the client's stable id; part of every payment id it derives
 * @param scopes what it may do
 * @param ownedAccountPrefixes account ids starting with one of these belong to it
 */
public record ApiClient(String clientId, Set<String> scopes, List<String> ownedAccountPrefixes) implements Principal {
    public ApiClient {
        Objects.requireNonNull(clientId, "clientId");
        scopes = Set.copyOf(scopes);
        ownedAccountPrefixes = List.copyOf(ownedAccountPrefixes);
    }

    @Override
    public String getName() {
        return clientId;
    }

    public boolean isAdmin() {
        return scopes.contains(Scopes.ADMIN);
    }

    /** True when the client holds {@code scope}, or is admin. */
    public boolean hasScope(String scope) {
        return isAdmin() || scopes.contains(scope);
    }

    /** True when {@code accountId} starts with one of the client's prefixes, or the client is admin. */
    public boolean owns(String accountId) {
        return isAdmin() || (accountId != null && ownedAccountPrefixes.stream().anyMatch(accountId::startsWith));
    }
}
