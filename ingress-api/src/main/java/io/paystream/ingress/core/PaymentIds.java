package io.paystream.ingress.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Derives a payment id from (API client id, Idempotency-Key) as a name-based UUID, version 5 (RFC 9562): the same pair
 * always gives the same id, so a retried request is the same payment, and two clients can never collide by choosing
 * the same key.
 */
public final class PaymentIds {
    /** PayStream's own UUID namespace, fixed forever: changing it would change every derived payment id. */
    private static final UUID NAMESPACE = UUID.fromString("8d3f1f5e-7a51-4c7e-9b0e-2f6b0d6c5a41");

    private PaymentIds() {
    }

    /** The payment id for this client's idempotency key. */
    public static String derive(String clientId, String idempotencyKey) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-1", e);
        }
        ByteBuffer namespace = ByteBuffer.allocate(16)
                .putLong(NAMESPACE.getMostSignificantBits())
                .putLong(NAMESPACE.getLeastSignificantBits());
        sha1.update(namespace.array());
        // The client id cannot contain a newline (its pattern forbids it), so the pair encodes unambiguously.
        sha1.update((clientId + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
        byte[] hash = sha1.digest();
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer bits = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bits.getLong(), bits.getLong()).toString();
    }
}
