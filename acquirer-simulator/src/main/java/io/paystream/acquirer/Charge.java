package io.paystream.acquirer;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A charge as the acquirer answers it, and as it is kept on disk: the same answer to every request with its
 * idempotency key.
 *
 * @param chargeId the acquirer's id
 * @param idempotencyKey the key it was made with
 * @param token the card token charged
 * @param amount minor units
 * @param currency ISO-4217 code
 * @param reference the merchant's reference (PayStream sends the payment id)
 * @param status APPROVED or DECLINED
 * @param declineCode why a DECLINED charge was declined ({@code card_declined}, {@code insufficient_funds},
 *     {@code do_not_honor}); null when approved
 * @param createdAt when the acquirer decided, ISO-8601
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Charge(String chargeId, String idempotencyKey, String token, long amount, String currency,
        String reference, String status, String declineCode, String createdAt) {

    /** True when {@code other} asks for the same charge (a retry), false when it reuses the key for another. */
    boolean sameRequest(String token, long amount, String currency) {
        return this.token.equals(token) && this.amount == amount && this.currency.equals(currency);
    }
}
