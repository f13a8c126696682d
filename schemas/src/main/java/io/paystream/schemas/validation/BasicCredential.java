package io.paystream.schemas.validation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An HTTP basic-auth credential configured by its user and the SHA-256 of its password, as the apps' admin ports and
 * Connect's REST API are: the password itself is never configured or kept. One check for both, because the Connect
 * plugin must not bring the apps' web stack into the worker.
 */
public final class BasicCredential {
    private final byte[] expected;

    /** The credential of {@code user} whose password hashes to {@code passwordSha256} (lower-case hex). */
    public BasicCredential(String user, String passwordSha256) {
        this.expected = (user + ":" + passwordSha256).getBytes(StandardCharsets.UTF_8);
    }

    /** Whether an {@code Authorization} header carries this credential; compared in constant time, on the hash. */
    public boolean matches(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        byte[] presented = (decoded.substring(0, colon) + ":" + sha256Hex(decoded.substring(colon + 1)))
                .getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(presented, expected);
    }

    /** The lower-case hex SHA-256 of {@code text}'s UTF-8 bytes. */
    public static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }
}
