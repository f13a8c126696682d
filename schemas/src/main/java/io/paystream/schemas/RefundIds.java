package io.paystream.schemas;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The public id of a refund: {@code rf_} and the base64url (unpadded) of the payment id's 16 bytes followed by the
 * refund's action id's 16 bytes. A refund lives with its payment (in the payment's state, on the instance that owns
 * the payment id), so an id that carries the payment id routes {@code GET /v1/refunds/{refundId}} there without an
 * index; the action id is what {@code payments.events.v1} and the journal name the refund by.
 */
public final class RefundIds {
    private static final String PREFIX = "rf_";
    private static final Pattern SHAPE = Pattern.compile("rf_[A-Za-z0-9_-]{43}");
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private RefundIds() {
    }

    /**
     * The two ids a refund id carries.
     *
     * @param paymentId the refunded payment (a lower-case UUID)
     * @param actionId the refund's action id (a lower-case UUID)
     */
    public record Parts(String paymentId, String actionId) {
    }

    /** The refund id of the refund {@code actionId} of payment {@code paymentId}; both are UUIDs. */
    public static String of(String paymentId, String actionId) {
        ByteBuffer bytes = ByteBuffer.allocate(32);
        put(bytes, UUID.fromString(paymentId));
        put(bytes, UUID.fromString(actionId));
        return PREFIX + ENCODER.encodeToString(bytes.array());
    }

    /** The payment and action ids in {@code refundId}, or empty when it is not a refund id. */
    public static Optional<Parts> parse(String refundId) {
        if (refundId == null || !SHAPE.matcher(refundId).matches()) {
            return Optional.empty();
        }
        byte[] decoded;
        try {
            decoded = DECODER.decode(refundId.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        ByteBuffer bytes = ByteBuffer.wrap(decoded);
        Parts parts = new Parts(new UUID(bytes.getLong(), bytes.getLong()).toString(),
                new UUID(bytes.getLong(), bytes.getLong()).toString());
        // Only the canonical spelling is an id: another string that decodes to the same bytes is not.
        return of(parts.paymentId(), parts.actionId()).equals(refundId) ? Optional.of(parts) : Optional.empty();
    }

    private static void put(ByteBuffer bytes, UUID id) {
        bytes.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
    }
}
