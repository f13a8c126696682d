package io.paystream.ingress.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The 202 answer: the command is durably in Kafka and will be processed; its outcome is asynchronous.
 *
 * @param paymentId the payment id, for payments and actions on them
 * @param actionId the action id, for a capture, a void or a refund
 * @param refundId the refund id, for a refund ({@code GET /v1/refunds/{refundId}})
 * @param accountId the account id, for accounts
 * @param status always PENDING
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Accepted(String paymentId, String actionId, String refundId, String accountId, String status) {
    private static final String PENDING = "PENDING";

    public static Accepted payment(String paymentId) {
        return new Accepted(paymentId, null, null, null, PENDING);
    }

    /** An action on a payment: its outcome is the payment's next event (or a failed-action event). */
    public static Accepted action(String paymentId, String actionId) {
        return new Accepted(paymentId, actionId, null, null, PENDING);
    }

    /** A refund: it ends SUCCEEDED or FAILED, as {@code GET /v1/refunds/{refundId}} shows. */
    public static Accepted refund(String paymentId, String actionId, String refundId) {
        return new Accepted(paymentId, actionId, refundId, null, PENDING);
    }

    public static Accepted account(String accountId) {
        return new Accepted(null, null, null, accountId, PENDING);
    }
}
