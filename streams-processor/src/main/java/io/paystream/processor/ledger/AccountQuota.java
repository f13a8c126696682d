package io.paystream.processor.ledger;

import java.util.Map;
import java.util.Objects;

/**
 * How many accounts each client may open: {@code perClient}, unless {@code clients} names the client with a number of
 * its own. Every account a client opened counts, closed ones too, since the ledger keeps their state for ever; a
 * repeated OPEN of an account the client already has does not count again.
 *
 * @param perClient the quota of a client that {@code clients} does not name
 * @param clients quotas of named clients
 */
public record AccountQuota(long perClient, Map<String, Long> clients) {
    /** The quota when none is configured: generous for a tenant, bounded for a runaway script. */
    public static final long DEFAULT_PER_CLIENT = 100_000;
    /** The key prefix of OPEN_QUOTA commands on the ledger topic: not an account id (those cannot start with '~'). */
    static final String KEY_PREFIX = "~quota:";

    public AccountQuota {
        if (perClient < 0) {
            throw new IllegalArgumentException("perClient must not be negative: " + perClient);
        }
        clients = Map.copyOf(Objects.requireNonNull(clients, "clients"));
    }

    /** The default quota for every client. */
    public static AccountQuota standard() {
        return new AccountQuota(DEFAULT_PER_CLIENT, Map.of());
    }

    /** The quota of {@code clientId}. */
    public long limitFor(String clientId) {
        return clients.getOrDefault(clientId, perClient);
    }

    /** The ledger-topic key of {@code clientId}'s OPEN_QUOTA commands: all of one client's go to one task. */
    public static String key(String clientId) {
        return KEY_PREFIX + clientId;
    }
}
