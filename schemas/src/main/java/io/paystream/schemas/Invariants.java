package io.paystream.schemas;

import com.google.errorprone.annotations.FormatMethod;
import com.google.errorprone.annotations.FormatString;

/**
 * Always-on checks for conditions that only a programming error can break. Unlike {@code assert}, they run in
 * production, because a ledger that continues past a broken invariant corrupts money.
 */
public final class Invariants {
    private Invariants() {
    }

    /** Throws {@link IllegalStateException} with the formatted message when {@code condition} is false. */
    @FormatMethod
    public static void check(boolean condition, @FormatString String format, Object... args) {
        if (!condition) {
            throw new IllegalStateException(String.format(format, args));
        }
    }
}
