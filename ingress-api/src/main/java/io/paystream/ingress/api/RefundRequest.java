package io.paystream.ingress.api;

/**
 * The body of {@code POST /v1/payments/{paymentId}/refunds}.
 *
 * @param amount minor units to give back to the payer; required
 * @param reason why, free text of at most 140 printable characters; optional
 */
public record RefundRequest(Long amount, String reason) {
}
