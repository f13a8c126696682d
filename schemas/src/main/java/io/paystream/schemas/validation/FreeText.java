package io.paystream.schemas.validation;

import java.util.Optional;

/**
 * What free text (a payment's reference, its metadata, an idempotency key) may not contain: control characters, which
 * break log lines, CSV exports and bank statement formats, and Unicode's bidirectional controls, which make text
 * display in another order than it is stored (CVE-2021-42574, "Trojan Source"): a reference that reads
 * "refund 100" in a console can hold something else. Unpaired surrogates are refused too: they are not text.
 */
public final class FreeText {
    private FreeText() {
    }

    /** What is wrong with {@code text}, or empty when it is acceptable (null is). */
    public static Optional<String> problem(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
                continue;
            }
            if (Character.isSurrogate(c)) {
                return Optional.of("must not contain an unpaired surrogate (at character " + i + ")");
            }
            if (Character.getType(c) == Character.CONTROL) {
                return Optional.of(String.format("must not contain control characters (U+%04X at character %d)",
                        (int) c, i));
            }
            if (isBidiControl(c)) {
                return Optional.of(String.format("must not contain bidirectional controls (U+%04X at character %d)",
                        (int) c, i));
            }
        }
        return Optional.empty();
    }

    /** ALM, LRM and RLM, the embeddings and overrides (U+202A-E), and the isolates (U+2066-9). */
    static boolean isBidiControl(char c) {
        return c == '\u061C' || c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2066' && c <= '\u2069');
    }
}
