package io.paystream.ingress.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derives a payment id from (API client id, first leg's account, Idempotency-Key): the first 16 bytes of HMAC-SHA256 under a server-side
 * secret, shaped as an RFC 9562 version-8 (custom) UUID. The same pair always gives the same id, so a retried request
 * is the same payment, and two clients can never collide by choosing the same key.
 *
 * <p>The secret is what makes the ids unpredictable. With a public derivation (the UUIDv5 of the pair, before), anyone
 * who can write {@code payments.requests.v1} directly could compute another client's next payment id from a guessed
 * Idempotency-Key ("order-1042") and post a request under it first: the victim's request would then be refused as an
 * idempotency conflict. Without the secret, the id cannot be computed.
 *
 * <p>The secret must be the same on every ingress instance and never change: another secret gives every pending retry
 * a new id, and so a second payment.
 */
public final class PaymentIds {
    /** The shortest secret accepted: 32 characters, as a random 24-byte value encodes in base64. */
    public static final int SECRET_LENGTH_MIN = 32;

    private final SecretKeySpec key;

    public PaymentIds(String secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length() < SECRET_LENGTH_MIN) {
            throw new IllegalArgumentException("the payment-id secret needs at least " + SECRET_LENGTH_MIN
                    + " characters");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /**
     * The payment id for this client's idempotency key on this account: the account the payment's first leg moves (the
     * payer; the payee of a TOPUP), by which the request is keyed. A key is thus unique per client and account: the
     * same key with the same account is the same payment (a retry, or a conflict if the body differs), and the same
     * key with another account is another payment, since no task could see both.
     */
    public String derive(String clientId, String account, String idempotencyKey) {
        // Neither the client id nor the account id can contain a newline (their patterns forbid it), so the triple
        // encodes unambiguously, and with two newlines it never meets an action's input, which has three.
        return uuidOf(clientId + "\n" + account + "\n" + idempotencyKey);
    }

    /**
     * The id of an action (capture, void, refund) that this client asks of a payment with this idempotency key. An
     * Idempotency-Key holds no control character, so its input has three newlines where a payment's has two: the two
     * kinds of id never meet.
     */
    public String deriveAction(String clientId, String paymentId, String action, String idempotencyKey) {
        return uuidOf(clientId + "\n" + action + "\n" + paymentId + "\n" + idempotencyKey);
    }

    /**
     * The id of the batch this client submits with this idempotency key ({@code POST /v1/payment-batches}). Its input
     * has an empty second part, which neither a payment's (an account id) nor an action's (its name) can be. Each
     * payment of the batch then has {@code BatchIds.paymentId(batchId, index)}.
     */
    public String deriveBatch(String clientId, String idempotencyKey) {
        return uuidOf(clientId + "\n\nbatch\n" + idempotencyKey);
    }

    /**
     * The unique part of the id of the balance monitor this client adds to this account with this idempotency key: a
     * retry adds nothing new. Its input has the word {@code monitor} where an action's has a payment id (a UUID).
     */
    public byte[] deriveMonitor(String clientId, String accountId, String idempotencyKey) {
        return java.util.Arrays.copyOf(hmac(clientId + "\n" + accountId + "\nmonitor\n" + idempotencyKey), 8);
    }

    private String uuidOf(String input) {
        byte[] hash = hmac(input);
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x80);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer bits = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bits.getLong(), bits.getLong()).toString();
    }

    private byte[] hmac(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java runtime must provide HmacSHA256", e);
        }
    }
}
