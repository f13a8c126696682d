package io.paystream.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The id of each payment of a batch, from the batch's id and the payment's index: the first 16 bytes of
 * SHA-256("batch-payment\n" + batchId + "\n" + index), shaped as an RFC 9562 version-8 UUID. Public on purpose: the
 * query API lists a batch's payments from its id alone. It gives nothing away, because the batch id itself is an HMAC
 * under the ingress's secret (of the API client and the Idempotency-Key), unknown until the ingress answers with it;
 * and it never meets another id: a single payment's and an action's are HMACs of other inputs, and a direct
 * producer's are random version-4 UUIDs.
 */
public final class BatchIds {
    private BatchIds() {
    }

    /** The id of the payment at {@code index} (from 0) of batch {@code batchId}. */
    public static String paymentId(String batchId, int index) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(("batch-payment\n" + batchId + "\n" + index)
                    .getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x80);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer bits = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bits.getLong(), bits.getLong()).toString();
    }
}
