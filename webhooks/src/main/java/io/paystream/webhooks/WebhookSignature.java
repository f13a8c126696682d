package io.paystream.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code PayStream-Signature} header: {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}. While
 * a rotated-out secret is still valid, the header carries a second {@code v1=} made with it, so that a receiver that
 * has not switched yet keeps verifying. The timestamp is signed with the body: a receiver that refuses timestamps older
 * than its tolerance (five minutes, as the README shows) cannot be replayed an old request.
 */
public final class WebhookSignature {
    public static final String HEADER = "PayStream-Signature";
    public static final String EVENT_ID_HEADER = "PayStream-Event-Id";
    public static final String EVENT_TYPE_HEADER = "PayStream-Event-Type";
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private WebhookSignature() {
    }

    /** The header value for {@code body} sent at {@code timestamp}, signed with each of {@code secrets} in order. */
    public static String header(List<String> secrets, long timestampSeconds, String body) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret signs");
        }
        StringBuilder header = new StringBuilder("t=").append(timestampSeconds);
        for (String secret : secrets) {
            header.append(",v1=").append(sign(secret, timestampSeconds, body));
        }
        return header.toString();
    }

    /** The hex HMAC-SHA256 of {@code t + "." + body} under {@code secret}. */
    public static String sign(String secret, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestampSeconds + "." + body)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }

    /**
     * True when {@code header} holds a {@code v1} signature of {@code body} under {@code secret}, and its timestamp is
     * within {@code tolerance} of {@code now}: what a receiver checks (the README has the same code).
     */
    public static boolean verify(String header, String secret, String body, Instant now, Duration tolerance) {
        if (header == null) {
            return false;
        }
        Long timestamp = null;
        List<String> signatures = new ArrayList<>();
        for (String part : header.split(",", -1)) {
            String[] pair = part.split("=", 2);
            if (pair.length != 2) {
                continue;
            }
            if (pair[0].equals("t")) {
                try {
                    timestamp = Long.parseLong(pair[1]);
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (pair[0].equals("v1")) {
                signatures.add(pair[1]);
            }
        }
        if (timestamp == null || Math.abs(now.getEpochSecond() - timestamp) > tolerance.toSeconds()) {
            return false;
        }
        byte[] expected = sign(secret, timestamp, body).getBytes(StandardCharsets.UTF_8);
        // Constant time, so that the comparison does not tell an attacker how much of a guess was right.
        return signatures.stream().anyMatch(candidate -> MessageDigest.isEqual(expected,
                candidate.getBytes(StandardCharsets.UTF_8)));
    }
}
