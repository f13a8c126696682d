package io.paystream.processor.stats;

import io.paystream.schemas.stats.StatsKeys;
import io.paystream.web.auth.ApiClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which stats scopes a payment counts in: {@link StatsKeys#ALL}, and the client id of each configured client that owns
 * its payer or its payee (by account-id prefix, as the query API decides ownership). Admin clients own every account
 * through their scope, not by prefix, and read {@link StatsKeys#ALL}.
 *
 * <p>Every instance must be configured with the same clients, as they already must be for their query APIs to agree.
 * A payment is scoped when it is counted: a prefix added later does not move past payments into the new client's
 * stats.
 */
public final class StatsScopes {
    private final List<Map.Entry<String, String>> prefixes = new ArrayList<>();

    public StatsScopes(Collection<ApiClient> clients) {
        for (ApiClient client : clients) {
            if (!client.isAdmin()) {
                for (String prefix : client.ownedAccountPrefixes()) {
                    prefixes.add(Map.entry(prefix, client.clientId()));
                }
            }
        }
    }

    /** Only {@link StatsKeys#ALL}: no client owns any account. */
    public static StatsScopes none() {
        return new StatsScopes(List.of());
    }

    /** The scopes of a payment from {@code from} to {@code to} (either may be null), {@link StatsKeys#ALL} first. */
    public Set<String> of(String from, String to) {
        Set<String> scopes = new LinkedHashSet<>();
        scopes.add(StatsKeys.ALL);
        addOwner(scopes, from);
        addOwner(scopes, to);
        return scopes;
    }

    private void addOwner(Set<String> scopes, String account) {
        if (account == null) {
            return;
        }
        for (Map.Entry<String, String> prefix : prefixes) {
            if (account.startsWith(prefix.getKey())) {
                scopes.add(prefix.getValue());
                return;
            }
        }
    }
}
