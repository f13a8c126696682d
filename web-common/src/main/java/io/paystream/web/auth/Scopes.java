package io.paystream.web.auth;

import java.util.Set;

/** What an API key may do. {@code admin} may do anything, on any account. */
public final class Scopes {
    /** Pay from owned accounts: TRANSFER, PAYMENT, WITHDRAWAL. */
    public static final String PAYMENTS_WRITE = "payments:write";
    /** Open accounts under owned prefixes, without credit. */
    public static final String ACCOUNTS_WRITE = "accounts:write";
    public static final String ACCOUNTS_READ = "accounts:read";
    /** Bring money in from outside the system: TOPUP. Whoever holds it can create balances, so it is privileged. */
    public static final String FUNDS_WRITE = "funds:write";
    /** Grant credit: an {@code overdraftLimit} above zero lets an account spend money it does not have. */
    public static final String CREDIT_WRITE = "credit:write";
    /** Register, list and delete webhook endpoints; an endpoint receives events of owned accounts only. */
    public static final String WEBHOOKS_WRITE = "webhooks:write";
    /**
     * What one PayStream service reads of another for its own checks: any account and payment, and the webhook
     * deliveries, on the query API. It writes nothing and reaches no admin route, and each service has its own key
     * (and so its own rate limit): the ingress looks payments up before an action, the email sink reads addresses.
     */
    public static final String SERVICE_READ = "service:read";
    public static final String ADMIN = "admin";

    /** Every scope a key may be given. */
    public static final Set<String> ALL = Set.of(PAYMENTS_WRITE, ACCOUNTS_WRITE, ACCOUNTS_READ, FUNDS_WRITE,
            CREDIT_WRITE, WEBHOOKS_WRITE, SERVICE_READ, ADMIN);

    private Scopes() {
    }
}
