package io.paystream.ingress.api;

import java.util.List;

/**
 * The 202 answer to a batch: every payment of it is durably in Kafka and will be decided; each outcome is
 * asynchronous, at {@code GET /v1/payments/{paymentId}}.
 *
 * @param batchId the batch's id, derived from the API client and the Idempotency-Key
 * @param status always PENDING
 * @param payments each payment's index in the request and its id
 */
public record AcceptedBatch(String batchId, String status, List<Item> payments) {
    /** One payment of the batch. */
    public record Item(int index, String paymentId) {
    }

    public static AcceptedBatch of(String batchId, List<String> paymentIds) {
        List<Item> items = new java.util.ArrayList<>(paymentIds.size());
        for (int index = 0; index < paymentIds.size(); index++) {
            items.add(new Item(index, paymentIds.get(index)));
        }
        return new AcceptedBatch(batchId, "PENDING", List.copyOf(items));
    }
}
