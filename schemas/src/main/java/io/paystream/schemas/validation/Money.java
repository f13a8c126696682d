package io.paystream.schemas.validation;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The shared limits on amounts, currencies and account ids (docs/architecture.md, "Money and identifiers"). */
public final class Money {
    /** The smallest amount: one minor unit. Zero and negative payments are meaningless. */
    public static final long MIN_AMOUNT_MINOR = 1L;

    /**
     * The largest amount, 10^15 minor units (ten trillion dollars). It keeps far away from {@code Long.MAX_VALUE}, so
     * that thousands of maximal movements fit in a balance before exact arithmetic has to refuse one.
     */
    public static final long MAX_AMOUNT_MINOR = 1_000_000_000_000_000L;

    /**
     * The largest balance a credit may reach, 10^18 minor units. A reversal is never refused (it returns the payer's
     * own money), so it must never overflow: it adds back a debit made earlier, and the debits in flight on an
     * account cannot exceed what it held plus its overdraft limit (at most 10^18 + 10^15). So a balance stays below
     * 2 x 10^18 + 10^15, far under {@code Long.MAX_VALUE} (about 9.2 x 10^18).
     */
    public static final long MAX_BALANCE_MINOR = 1_000_000_000_000_000_000L;

    /** Account ids: a letter or digit, then up to 63 more of letters, digits and {@code . _ : -}. */
    public static final Pattern ACCOUNT_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$");

    /**
     * The ISO 4217 currencies in circulation (the list maintained by SIX, as of 2025): the JDK's list also holds
     * withdrawn codes (DEM, HRK, ZWL...), precious metals (XAU), fund and bond units (CHE, XBA), the test code XTS
     * and "no currency" XXX, none of which a payment can be made in.
     */
    private static final Set<String> ISO_4217_CODES = Set.of((""
            + "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD "
            + "CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF "
            + "GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK "
            + "LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD "
            + "OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN "
            + "SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG "
            + "XOF XPF YER ZAR ZMW ZWG").split(" "));

    /**
     * ISO 4217's minor unit of every currency in circulation whose minor unit is not the hundredth: the number of
     * decimal places one unit of an amount is worth (JPY 0: amount 1000 is ¥1,000; KWD 3: amount 1500 is 1.500 KWD).
     * Amounts are always in minor units; this is what people read and type them in.
     */
    private static final Map<String, Integer> MINOR_UNITS_OTHER_THAN_TWO = Map.ofEntries(
            Map.entry("BHD", 3), Map.entry("BIF", 0), Map.entry("CLP", 0), Map.entry("DJF", 0), Map.entry("GNF", 0),
            Map.entry("IQD", 3), Map.entry("ISK", 0), Map.entry("JOD", 3), Map.entry("JPY", 0), Map.entry("KMF", 0),
            Map.entry("KRW", 0), Map.entry("KWD", 3), Map.entry("LYD", 3), Map.entry("OMR", 3), Map.entry("PYG", 0),
            Map.entry("RWF", 0), Map.entry("TND", 3), Map.entry("UGX", 0), Map.entry("VND", 0), Map.entry("VUV", 0),
            Map.entry("XAF", 0), Map.entry("XOF", 0), Map.entry("XPF", 0));
    /** The minor unit of every other currency in circulation: hundredths. */
    private static final int MINOR_UNITS_DEFAULT = 2;

    private Money() {
    }

    /**
     * The decimal places of {@code code}'s minor unit (2 for USD, 0 for JPY, 3 for KWD).
     *
     * @throws IllegalArgumentException when {@code code} is not a currency in circulation
     */
    public static int minorUnits(String code) {
        if (!isCurrency(code)) {
            throw new IllegalArgumentException("not a currency in circulation: " + code);
        }
        return MINOR_UNITS_OTHER_THAN_TWO.getOrDefault(code, MINOR_UNITS_DEFAULT);
    }

    /** The currencies whose minor unit is not the hundredth, with theirs: what a client needs to show amounts. */
    public static Map<String, Integer> minorUnitsOtherThanTwo() {
        return MINOR_UNITS_OTHER_THAN_TWO;
    }

    /** True for an amount a payment may carry. */
    public static boolean isValidAmount(long amountMinor) {
        return amountMinor >= MIN_AMOUNT_MINOR && amountMinor <= MAX_AMOUNT_MINOR;
    }

    /** True for the upper-case ISO-4217 code of a currency in circulation, such as {@code USD}. */
    public static boolean isCurrency(String code) {
        return code != null && ISO_4217_CODES.contains(code);
    }

    /** True for a well-formed account id. */
    public static boolean isAccountId(String accountId) {
        return accountId != null && ACCOUNT_ID.matcher(accountId).matches();
    }
}
