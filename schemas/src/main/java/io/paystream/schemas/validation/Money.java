package io.paystream.schemas.validation;

import java.util.Currency;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The shared limits on amounts, currencies and account ids (DESIGN.md, "Money and identifiers"). */
public final class Money {
    /** The smallest amount: one minor unit. Zero and negative payments are meaningless. */
    public static final long MIN_AMOUNT_MINOR = 1L;

    /**
     * The largest amount, 10^15 minor units (ten trillion dollars). It keeps far away from {@code Long.MAX_VALUE}, so
     * that thousands of maximal movements fit in a balance before exact arithmetic has to refuse one.
     */
    public static final long MAX_AMOUNT_MINOR = 1_000_000_000_000_000L;

    /** Account ids: a letter or digit, then up to 63 more of letters, digits and {@code . _ : -}. */
    public static final Pattern ACCOUNT_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$");

    private static final Set<String> ISO_4217_CODES = Currency.getAvailableCurrencies().stream()
            .map(Currency::getCurrencyCode)
            .collect(Collectors.toUnmodifiableSet());

    private Money() {
    }

    /** True for an amount a payment may carry. */
    public static boolean isValidAmount(long amountMinor) {
        return amountMinor >= MIN_AMOUNT_MINOR && amountMinor <= MAX_AMOUNT_MINOR;
    }

    /** True for an upper-case ISO-4217 code known to the JDK, such as {@code USD}. */
    public static boolean isCurrency(String code) {
        return code != null && ISO_4217_CODES.contains(code);
    }

    /** True for a well-formed account id. */
    public static boolean isAccountId(String accountId) {
        return accountId != null && ACCOUNT_ID.matcher(accountId).matches();
    }
}
