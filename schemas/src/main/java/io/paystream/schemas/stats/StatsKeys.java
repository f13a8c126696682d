package io.paystream.schemas.stats;

/**
 * Keys of the stats stores: {@code scope|currency}. The scope is the client id that owns an account the payment
 * touches, or {@link #ALL} for the totals that admin sees; a payment between two clients' accounts counts once in
 * each client's scope and once in {@link #ALL}.
 */
public final class StatsKeys {
    /** The key-value store of payments accepted and not yet finished, by key (not windowed). */
    public static final String IN_FLIGHT_STORE = "stats-in-flight";
    /** The scope of every payment, which only admin reads. */
    public static final String ALL = "*";
    /** The currency of a request rejected before it named a valid one (ISO 4217's code for "no currency"). */
    public static final String NO_CURRENCY = "XXX";
    private static final char SEPARATOR = '|';

    private StatsKeys() {
    }

    /** The key of {@code scope} and {@code currency}; a currency that is not three capitals counts as XXX. */
    public static String key(String scope, String currency) {
        return scope + SEPARATOR + (currency != null && currency.matches("[A-Z]{3}") ? currency : NO_CURRENCY);
    }

    /** The first key of {@code scope}'s range. */
    public static String rangeStart(String scope) {
        return scope + SEPARATOR;
    }

    /** The last key of {@code scope}'s range: currencies are upper-case letters, so none sorts after this. */
    public static String rangeEnd(String scope) {
        return scope + SEPARATOR + '~';
    }

    /** The scope part of {@code key}. */
    public static String scopeOf(String key) {
        return key.substring(0, key.lastIndexOf(SEPARATOR));
    }

    /** The currency part of {@code key}. */
    public static String currencyOf(String key) {
        return key.substring(key.lastIndexOf(SEPARATOR) + 1);
    }
}
