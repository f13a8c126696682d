package io.paystream.schemas.validation;

import io.paystream.schemas.avro.CaptureMode;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentSource;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.SourceType;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The validation rules for a payment request, shared by the ingress and the processor's intake: producers may write to
 * {@code payments.requests.v1} directly, so the processor cannot trust that the ingress saw a request first.
 */
public final class PaymentRequestRules {
    /** Long enough for an invoice number and a sentence, short enough for bank statement lines (SEPA allows 140). */
    public static final int REFERENCE_LENGTH_MAX = 140;
    /** Metadata is for correlation ids, not payloads: a small, bounded number of entries. */
    public static final int METADATA_ENTRIES_MAX = 20;
    /** Metadata keys are identifiers. */
    public static final int METADATA_KEY_LENGTH_MAX = 40;
    /** Metadata values are short strings, so that a request stays far below the 64 KiB body limit. */
    public static final int METADATA_VALUE_LENGTH_MAX = 500;
    /** The HTTP contract's bound on the Idempotency-Key header. */
    public static final int IDEMPOTENCY_KEY_LENGTH_MAX = 255;

    private PaymentRequestRules() {
    }

    /**
     * The account a request's first leg moves: the payee of a TOPUP, else the payer. The ingress keys the request by
     * it, so that the ledger task of that account decides the request and applies the leg in one step; it is also
     * the account whose owner may post the request. Null when the request names no such account.
     */
    public static String firstLegAccount(PaymentRequest request) {
        return firstLegAccount(request.getType(), request.getFrom(), request.getTo());
    }

    /** {@link #firstLegAccount(PaymentRequest)} of a request with this type, payer and payee. */
    public static String firstLegAccount(PaymentType type, String from, String to) {
        return type == PaymentType.TOPUP ? to : from;
    }

    /** The first rule the request breaks, or empty when it is valid; holds last at least {@link #HOLD_SECONDS_MIN}. */
    public static Optional<Violation> validate(PaymentRequest request) {
        return validate(request, HOLD_SECONDS_MIN);
    }

    /**
     * As {@link #validate(PaymentRequest)}, with the shortest hold {@code minHoldSeconds}: {@link #HOLD_SECONDS_MIN}
     * in production; a local stack may lower it so that a test sees a hold expire in seconds.
     */
    public static Optional<Violation> validate(PaymentRequest request, long minHoldSeconds) {
        Objects.requireNonNull(request, "request");
        if (!isPaymentId(request.getPaymentId())) {
            return violation("paymentId", "must be a lower-case UUID");
        }
        if (request.getType() == null) {
            return violation("type", "is required");
        }
        Optional<Violation> parties = validateParties(request.getType(), request.getFrom(), request.getTo());
        if (parties.isPresent()) {
            return parties;
        }
        if (!Money.isValidAmount(request.getAmount())) {
            return violation("amount", "must be between " + Money.MIN_AMOUNT_MINOR + " and " + Money.MAX_AMOUNT_MINOR
                    + " minor units");
        }
        if (!Money.isCurrency(request.getCurrency())) {
            return violation("currency", "must be an upper-case ISO-4217 code");
        }
        if (request.getReference() != null && request.getReference().length() > REFERENCE_LENGTH_MAX) {
            return violation("reference", "must be at most " + REFERENCE_LENGTH_MAX + " characters");
        }
        Optional<String> reference = FreeText.problem(request.getReference());
        if (reference.isPresent()) {
            return violation("reference", reference.get());
        }
        // Checked in the same order as isValidReference, which the intake uses to leave a bad one out of events.
        Optional<Violation> metadata = validateMetadata(request.getMetadata());
        if (metadata.isPresent()) {
            return metadata;
        }
        String key = request.getIdempotencyKey();
        if (key != null && (key.isEmpty() || key.length() > IDEMPOTENCY_KEY_LENGTH_MAX)) {
            return violation("idempotencyKey", "must be 1 to " + IDEMPOTENCY_KEY_LENGTH_MAX + " characters");
        }
        Optional<String> keyText = FreeText.problem(key);
        if (keyText.isPresent()) {
            return violation("idempotencyKey", keyText.get());
        }
        Optional<Violation> capture = validateCapture(request.getType(), request.getCapture(),
                request.getHoldExpiresInSeconds(), minHoldSeconds);
        return capture.isPresent() ? capture : validateSource(request.getType(), request.getSource());
    }

    /** A card token: {@code tok_} and 1 to 64 letters, digits or underscores, as the acquirer issues them. */
    private static final Pattern CARD_TOKEN = Pattern.compile("tok_[A-Za-z0-9_]{1,64}");

    /** Only a TOPUP has a source; a CARD source names a token. */
    public static Optional<Violation> validateSource(PaymentType type, PaymentSource source) {
        if (source == null) {
            return Optional.empty();
        }
        if (type != PaymentType.TOPUP) {
            return violation("source", "applies only to TOPUP");
        }
        if (source.getType() != SourceType.CARD) {
            return violation("source.type", "must be CARD");
        }
        if (source.getToken() == null || !CARD_TOKEN.matcher(source.getToken()).matches()) {
            return violation("source.token", "must be tok_ and 1 to 64 letters, digits or underscores");
        }
        return Optional.empty();
    }

    /** The most payments one batch may carry, atomic or not. */
    public static final int BATCH_SIZE_MAX = 1_000;

    /**
     * The shortest and the longest authorization a manual capture may ask for, and the default. The shortest is
     * production's; profile local may lower it down to {@link #HOLD_SECONDS_FLOOR}.
     */
    public static final long HOLD_SECONDS_MIN = 60;
    public static final long HOLD_SECONDS_FLOOR = 1;
    public static final long HOLD_SECONDS_MAX = 30L * 24 * 3600;
    public static final long HOLD_SECONDS_DEFAULT = 7L * 24 * 3600;

    /**
     * MANUAL capture holds money that moves between two accounts later, so it is for TRANSFER and PAYMENT only; a
     * hold's lifetime is {@code minHoldSeconds} (60 s in production) to 30 days, and only a manual capture has one.
     */
    public static Optional<Violation> validateCapture(PaymentType type, CaptureMode capture, Long holdSeconds,
            long minHoldSeconds) {
        boolean manual = capture == CaptureMode.MANUAL;
        if (manual && type != PaymentType.TRANSFER && type != PaymentType.PAYMENT) {
            return violation("capture", "MANUAL is for TRANSFER and PAYMENT only");
        }
        if (holdSeconds != null && !manual) {
            return violation("holdExpiresInSeconds", "applies only to capture MANUAL");
        }
        if (holdSeconds != null && (holdSeconds < minHoldSeconds || holdSeconds > HOLD_SECONDS_MAX)) {
            return violation("holdExpiresInSeconds", "must be between " + minHoldSeconds + " and "
                    + HOLD_SECONDS_MAX + " (30 days)");
        }
        return Optional.empty();
    }

    /** Which parties a payment type needs: both for TRANSFER and PAYMENT, only the payee for TOPUP, only the payer for WITHDRAWAL. */
    public static Optional<Violation> validateParties(PaymentType type, String from, String to) {
        boolean needsPayer = type != PaymentType.TOPUP;
        boolean needsPayee = type != PaymentType.WITHDRAWAL;
        Optional<Violation> payer = validateParty("from", from, needsPayer, type);
        if (payer.isPresent()) {
            return payer;
        }
        Optional<Violation> payee = validateParty("to", to, needsPayee, type);
        if (payee.isPresent()) {
            return payee;
        }
        if (needsPayer && needsPayee && from.equals(to)) {
            return violation("to", "must differ from 'from'");
        }
        return Optional.empty();
    }

    private static Optional<Violation> validateParty(String field, String accountId, boolean required, PaymentType type) {
        if (!required) {
            return accountId == null ? Optional.empty() : violation(field, "must be absent for " + type);
        }
        if (accountId == null) {
            return violation(field, "is required for " + type);
        }
        if (!Money.isAccountId(accountId)) {
            return violation(field, "must match " + Money.ACCOUNT_ID.pattern());
        }
        return Optional.empty();
    }

    private static Optional<Violation> validateMetadata(Map<String, String> metadata) {
        if (metadata == null) {
            return Optional.empty();
        }
        if (metadata.size() > METADATA_ENTRIES_MAX) {
            return violation("metadata", "must have at most " + METADATA_ENTRIES_MAX + " entries");
        }
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (entry.getKey().isEmpty() || entry.getKey().length() > METADATA_KEY_LENGTH_MAX) {
                return violation("metadata", "keys must be 1 to " + METADATA_KEY_LENGTH_MAX + " characters");
            }
            Optional<String> keyText = FreeText.problem(entry.getKey());
            if (keyText.isPresent()) {
                return violation("metadata", "keys " + keyText.get());
            }
            if (entry.getValue() == null || entry.getValue().length() > METADATA_VALUE_LENGTH_MAX) {
                return violation("metadata." + entry.getKey(),
                        "must be a string of at most " + METADATA_VALUE_LENGTH_MAX + " characters");
            }
            Optional<String> valueText = FreeText.problem(entry.getValue());
            if (valueText.isPresent()) {
                return violation("metadata." + entry.getKey(), valueText.get());
            }
        }
        return Optional.empty();
    }

    /** True for an absent reference, or one a request may carry. */
    public static boolean isValidReference(String reference) {
        return reference == null
                || (reference.length() <= REFERENCE_LENGTH_MAX && FreeText.problem(reference).isEmpty());
    }

    /** True for a payment id a request may carry: a canonical, lower-case UUID. */
    public static boolean isPaymentId(String id) {
        if (id == null || id.length() != 36) {
            return false;
        }
        try {
            return UUID.fromString(id).toString().equals(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Optional<Violation> violation(String field, String message) {
        return Optional.of(new Violation(field, message));
    }
}
