package io.paystream.ingress.api;

/**
 * The optional body of {@code POST /v1/payments/{paymentId}/capture}.
 *
 * @param amount minor units to capture, at most the authorized amount; the whole authorization when absent
 */
public record CaptureRequest(Long amount) {
}
