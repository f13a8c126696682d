package io.paystream.queries.history;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.OptionalLong;

/**
 * Opaque pagination cursors. A cursor names the last entry a page returned; clients pass it back as {@code after}.
 * It is versioned so that its encoding can change without breaking clients mid-pagination.
 */
public final class Cursors {
    private static final String PREFIX = "v1:";
    private static final String ACCOUNT_PREFIX = "a1:";

    private Cursors() {
    }

    public static String after(long entrySeq) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + entrySeq).getBytes(StandardCharsets.UTF_8));
    }

    /** The entry sequence a cursor names, or empty when it is not a cursor this API issued. */
    public static OptionalLong parse(String cursor) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!decoded.startsWith(PREFIX)) {
                return OptionalLong.empty();
            }
            long entrySeq = Long.parseLong(decoded.substring(PREFIX.length()));
            return entrySeq >= 0 ? OptionalLong.of(entrySeq) : OptionalLong.empty();
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }

    /** A cursor after the account {@code accountId}, for account listings. */
    public static String afterAccount(String accountId) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((ACCOUNT_PREFIX + accountId).getBytes(StandardCharsets.UTF_8));
    }

    /** The account id an account-listing cursor names, or empty when it is not one this API issued. */
    public static java.util.Optional<String> parseAccount(String cursor) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            return decoded.startsWith(ACCOUNT_PREFIX) && decoded.length() > ACCOUNT_PREFIX.length()
                    ? java.util.Optional.of(decoded.substring(ACCOUNT_PREFIX.length())) : java.util.Optional.empty();
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }
}
