package io.paystream.web.auth;

import java.util.Set;

/** What an API key may do. {@code admin} may do anything, on any account. */
public final class Scopes {
    public static final String PAYMENTS_WRITE = "payments:write";
    public static final String ACCOUNTS_WRITE = "accounts:write";
    public static final String ACCOUNTS_READ = "accounts:read";
    public static final String ADMIN = "admin";

    /** Every scope a key may be given. */
    public static final Set<String> ALL = Set.of(PAYMENTS_WRITE, ACCOUNTS_WRITE, ACCOUNTS_READ, ADMIN);

    private Scopes() {
    }
}
