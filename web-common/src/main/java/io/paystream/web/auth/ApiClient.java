package io.paystream.web.auth;

import java.security.Principal;
import java.util.ArrayList;
import java.util.Collection;
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

    /**
     * Pairs of prefixes held by different clients where one starts with the other, so that some account would belong
     * to both: "acme (acme-) and acme-eu (acme-eu-)". Clients with the same id may share prefixes (the keys of one
     * tenant: a rotation, or a read-only key beside a writing one).
     */
    public static List<String> overlaps(Collection<ApiClient> clients) {
        List<String> overlaps = new ArrayList<>();
        for (ApiClient one : clients) {
            for (ApiClient other : clients) {
                if (one.clientId.compareTo(other.clientId) >= 0) {
                    continue;
                }
                for (String mine : one.ownedAccountPrefixes) {
                    for (String theirs : other.ownedAccountPrefixes) {
                        if (mine.startsWith(theirs) || theirs.startsWith(mine)) {
                            overlaps.add(one.clientId + " (" + mine + ") and " + other.clientId + " (" + theirs + ")");
                        }
                    }
                }
            }
        }
        return overlaps;
    }

    /** True when {@code accountId} starts with one of the client's prefixes, or the client is admin. */
    public boolean owns(String accountId) {
        return isAdmin() || (accountId != null && ownedAccountPrefixes.stream().anyMatch(accountId::startsWith));
    }

    /** True when the client may read {@code accountId}: it owns it, or it is a service reading for its checks. */
    public boolean mayRead(String accountId) {
        return owns(accountId) || scopes.contains(Scopes.SERVICE_READ);
    }
}
