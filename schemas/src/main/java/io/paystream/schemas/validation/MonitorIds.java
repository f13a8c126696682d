package io.paystream.schemas.validation;

import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Balance monitor ids: {@code bm_<16 hex>_<accountId>}. The id names its account (whose ids never contain {@code _}),
 * so that a read or a delete goes straight to the account's owner without a lookup table.
 */
public final class MonitorIds {
    private static final Pattern ID = Pattern.compile("^bm_([0-9a-f]{16})_(.+)$");

    private MonitorIds() {
    }

    /** The id of a monitor of {@code accountId}, from 8 bytes that make it unique (the ingress derives them). */
    public static String of(byte[] unique, String accountId) {
        if (unique.length != 8) {
            throw new IllegalArgumentException("a monitor id takes 8 bytes, not " + unique.length);
        }
        return "bm_" + HexFormat.of().formatHex(unique) + "_" + accountId;
    }

    /** The account {@code monitorId} names, or empty when it is not a monitor id. */
    public static Optional<String> accountOf(String monitorId) {
        if (monitorId == null) {
            return Optional.empty();
        }
        Matcher matcher = ID.matcher(monitorId);
        return matcher.matches() && Money.isAccountId(matcher.group(2)) ? Optional.of(matcher.group(2))
                : Optional.empty();
    }
}
