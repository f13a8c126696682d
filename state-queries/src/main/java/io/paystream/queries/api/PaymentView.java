package io.paystream.queries.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /v1/payments/{paymentId}}. An accepted payment that has not finished is PROCESSING; a manual capture is
 * AUTHORIZED while its hold is open, with {@code authorizedAmount} and {@code holdExpiresAt} (stream time), which stay
 * once it has ended, and {@code capturedAmount} once captured; {@code actions} lists what became of each capture and
 * void asked of it (the latest 20), a failed one with its reason; {@code refundedAmount} sums its SUCCEEDED refunds,
 * and {@code refunds} lists every refund (PENDING, SUCCEEDED, or FAILED with a reason). Times are ISO-8601 UTC.
 * A REJECTED or REVERSED payment's {@code detail} says why in words (a declined card top-up: the acquirer's code).
 * {@code stale} appears, set to true, only on a standby read; {@code batchId}, {@code batchIndex} and
 * {@code batchSize} only for a payment submitted in a batch, and {@code batchAtomic} (true) only for one of an atomic
 * batch.
 */
public record PaymentView(String paymentId, String type, String from, String to, long amount, String currency,
        String status, String reason, @JsonInclude(JsonInclude.Include.NON_NULL) String detail, String createdAt,
        String updatedAt, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean stale,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long authorizedAmount,
        @JsonInclude(JsonInclude.Include.NON_NULL) String holdExpiresAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long capturedAmount,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ActionView> actions,
        long refundedAmount,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<RefundView> refunds,
        @JsonInclude(JsonInclude.Include.NON_NULL) String batchId,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer batchIndex,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer batchSize,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean batchAtomic) {

    /**
     * One action on the payment and what became of it: SUCCEEDED or FAILED with a reason.
     *
     * @param actionId the id the ingress answered with
     * @param type CAPTURE or VOID
     * @param status SUCCEEDED or FAILED
     * @param amount the amount captured, or asked for by a failed capture
     * @param reason why it failed
     * @param detail the reason in words
     * @param at when, ISO-8601 UTC
     */
    public record ActionView(String actionId, String type, String status,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long amount,
            @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
            @JsonInclude(JsonInclude.Include.NON_NULL) String detail, String at) {
    }

    public static PaymentView of(PaymentState state, boolean stale) {
        String status = state.getStatus() == PaymentStatus.ACCEPTED ? "PROCESSING" : state.getStatus().name();
        return new PaymentView(state.getPaymentId(), state.getType() == null ? null : state.getType().name(),
                state.getFrom(), state.getTo(), state.getAmount(), state.getCurrency(), status,
                state.getReason() == null ? null : state.getReason().name(),
                state.getReason() == null ? null : state.getDetail(),
                Instant.ofEpochMilli(state.getCreatedAtMs()).toString(),
                Instant.ofEpochMilli(state.getUpdatedAtMs()).toString(), stale ? Boolean.TRUE : null,
                state.getAuthorizedAmount(), state.getHoldExpiresAtMs() == null ? null
                        : Instant.ofEpochMilli(state.getHoldExpiresAtMs()).toString(), state.getCapturedAmount(),
                state.getActions().stream().map(action -> new ActionView(action.getActionId(),
                        action.getType().name(), action.getSucceeded() ? "SUCCEEDED" : "FAILED", action.getAmount(),
                        action.getReason() == null ? null : action.getReason().name(), action.getDetail(),
                        Instant.ofEpochMilli(action.getOccurredAtMs()).toString())).toList(),
                state.getRefundedAmount(),
                state.getRefunds().stream().map(refund -> RefundView.of(state, refund)).toList(),
                state.getBatchId(), state.getBatchIndex(), state.getBatchSize(), state.getBatchAtomic());
    }
}
