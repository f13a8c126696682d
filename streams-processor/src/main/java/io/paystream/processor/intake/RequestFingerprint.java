package io.paystream.processor.intake;

import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A SHA-256 fingerprint of everything a payment request asks for. Two requests with the same payment id and the same
 * fingerprint are one payment sent twice; the same id with another fingerprint is an idempotency conflict.
 *
 * <p>Each field is written as its length and its text, so that no two different requests share an encoding
 * ({@code "ab"+"c"} versus {@code "a"+"bc"}). Metadata is sorted by key, because map order means nothing.
 */
public final class RequestFingerprint {
    private RequestFingerprint() {
    }

    /** The lower-case hex SHA-256 of the request's canonical form. */
    public static String of(PaymentRequest request) {
        StringBuilder canonical = new StringBuilder(256);
        field(canonical, request.getPaymentId());
        field(canonical, request.getType() == null ? null : request.getType().name());
        field(canonical, request.getFrom());
        field(canonical, request.getTo());
        field(canonical, Long.toString(request.getAmount()));
        field(canonical, request.getCurrency());
        field(canonical, request.getReference());
        field(canonical, request.getClientId());
        field(canonical, request.getIdempotencyKey());
        Map<String, String> metadata = request.getMetadata() == null ? Map.of() : new TreeMap<>(request.getMetadata());
        field(canonical, Integer.toString(metadata.size()));
        metadata.forEach((key, value) -> {
            field(canonical, key);
            field(canonical, value);
        });
        // Fields added later are written only when set, so that the fingerprint of a request without them stays the
        // one an earlier version stored: a retry across an upgrade is still a duplicate, not a conflict.
        if (request.getCapture() != null || request.getHoldExpiresInSeconds() != null) {
            field(canonical, "capture");
            field(canonical, request.getCapture() == null ? null : request.getCapture().name());
            field(canonical, request.getHoldExpiresInSeconds() == null ? null
                    : Long.toString(request.getHoldExpiresInSeconds()));
        }
        if (request.getSource() != null) {
            field(canonical, "source");
            field(canonical, request.getSource().getType() == null ? null : request.getSource().getType().name());
            field(canonical, request.getSource().getToken());
        }
        return HexFormat.of().formatHex(sha256().digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The lower-case hex SHA-256 of an action's canonical form. */
    public static String of(PaymentAction action) {
        StringBuilder canonical = new StringBuilder(128);
        field(canonical, "action");
        field(canonical, action.getActionId());
        field(canonical, action.getPaymentId());
        field(canonical, action.getType() == null ? null : action.getType().name());
        field(canonical, action.getAmount() == null ? null : Long.toString(action.getAmount()));
        field(canonical, action.getReason());
        field(canonical, action.getClientId());
        field(canonical, action.getIdempotencyKey());
        return HexFormat.of().formatHex(sha256().digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static void field(StringBuilder out, String value) {
        if (value == null) {
            out.append("-1:");
        } else {
            out.append(value.length()).append(':').append(value);
        }
        out.append('|');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }
}
