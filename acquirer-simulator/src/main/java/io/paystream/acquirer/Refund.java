package io.paystream.acquirer;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A refund of the whole of an approved charge, as the acquirer answers it and keeps it on disk. A charge is refunded
 * at most once: every later refund request for it, with any key, is answered with this one.
 *
 * @param refundId the acquirer's id
 * @param chargeId the charge given back
 * @param idempotencyKey the key of the request that made it
 * @param amount minor units, the charge's
 * @param currency ISO-4217 code, the charge's
 * @param status always SUCCEEDED: the simulator's refunds do not fail
 * @param createdAt when the acquirer made it, ISO-8601
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Refund(String refundId, String chargeId, String idempotencyKey, long amount, String currency,
        String status, String createdAt) {
}
