package io.paystream.queries.api;

/**
 * {@code GET /v1/accounts/{accountId}/balance}: the account's balance, held and available as they were at an instant
 * ({@code ?at=}) or right after one of its movements ({@code ?entrySeq=}), or now. Amounts are minor units;
 * {@code available} is balance, minus holds, plus the overdraft limit, as they all were then. {@code entrySeq} is the
 * account's last movement at that point, {@code stateSeq} the account's state (one more for each change), and
 * {@code since} when that state began. {@code source} says where the answer came from: {@code ledger} (the live
 * state, which has not changed since) or {@code history} (the journal's PostgreSQL copy).
 */
public record BalanceView(String accountId, String currency, String at, long entrySeq, long stateSeq, long balance,
        long held, long available, String status, String since, String source) {
}
