package io.paystream.ingress.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The 202 answer: the command is durably in Kafka and will be processed; its outcome is asynchronous.
 *
 * @param paymentId the payment id, for payments
 * @param accountId the account id, for accounts
 * @param status always PENDING
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Accepted(String paymentId, String accountId, String status) {
    private static final String PENDING = "PENDING";

    public static Accepted payment(String paymentId) {
        return new Accepted(paymentId, null, PENDING);
    }

    public static Accepted account(String accountId) {
        return new Accepted(null, accountId, PENDING);
    }
}
