package io.paystream.queries.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.paystream.schemas.RefundIds;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.RefundState;
import java.time.Instant;

/**
 * One refund, in {@code GET /v1/payments/{paymentId}}'s {@code refunds} and as {@code GET /v1/refunds/{refundId}}.
 *
 * @param refundId the id the ingress answered with ({@link RefundIds})
 * @param paymentId the refunded payment
 * @param actionId the refund's action id, which names it on {@code payments.events.v1} and in the journal
 * @param amount minor units
 * @param currency the payment's currency
 * @param status PENDING, SUCCEEDED or FAILED
 * @param reason the client's reason for the refund
 * @param failureReason why it FAILED (PAYMENT_NOT_COMPLETED, EXCEEDS_REFUNDABLE, INSUFFICIENT_FUNDS...)
 * @param detail the failure in words
 * @param createdAt when it was asked for, ISO-8601 UTC
 * @param updatedAt when its status last changed
 */
public record RefundView(String refundId, String paymentId, String actionId, long amount, String currency,
        String status,
        @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
        @JsonInclude(JsonInclude.Include.NON_NULL) String failureReason,
        @JsonInclude(JsonInclude.Include.NON_NULL) String detail,
        String createdAt, String updatedAt) {

    public static RefundView of(PaymentState payment, RefundState refund) {
        return new RefundView(RefundIds.of(payment.getPaymentId(), refund.getActionId()), payment.getPaymentId(),
                refund.getActionId(), refund.getAmount(), payment.getCurrency(), refund.getStatus().name(),
                refund.getReason(), refund.getFailureReason() == null ? null : refund.getFailureReason().name(),
                refund.getDetail(), Instant.ofEpochMilli(refund.getCreatedAtMs()).toString(),
                Instant.ofEpochMilli(refund.getUpdatedAtMs()).toString());
    }
}
