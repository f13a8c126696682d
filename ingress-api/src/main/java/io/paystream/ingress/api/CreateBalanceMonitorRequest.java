package io.paystream.ingress.api;

/**
 * The body of {@code POST /v1/balance-monitors}. Strings rather than enums, so that a bad value gets a 422 naming the
 * field instead of a parse error.
 *
 * @param accountId the account to watch, owned by the caller
 * @param field {@code balance} or {@code available}
 * @param operator {@code lt}, {@code lte}, {@code gt} or {@code gte}
 * @param amount the threshold, in the account's minor units
 */
public record CreateBalanceMonitorRequest(String accountId, String field, String operator, Long amount) {
}
