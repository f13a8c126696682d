package io.paystream.schemas.validation;

import io.paystream.schemas.avro.AccountRequest;
import java.util.Objects;
import java.util.Optional;

/** The validation rules for an account request, shared by the ingress and the processor's account intake. */
public final class AccountRequestRules {
    /** Request ids name audit records; bound them like idempotency keys. */
    public static final int REQUEST_ID_LENGTH_MAX = 255;

    private AccountRequestRules() {
    }

    /** The first rule the request breaks, or empty when it is valid. */
    public static Optional<Violation> validate(AccountRequest request) {
        Objects.requireNonNull(request, "request");
        String requestId = request.getRequestId();
        if (requestId == null || requestId.isEmpty() || requestId.length() > REQUEST_ID_LENGTH_MAX) {
            return violation("requestId", "must be 1 to " + REQUEST_ID_LENGTH_MAX + " characters");
        }
        if (!Money.isAccountId(request.getAccountId())) {
            return violation("accountId", "must match " + Money.ACCOUNT_ID.pattern());
        }
        if (request.getCommand() == null) {
            return violation("command", "is required");
        }
        return switch (request.getCommand()) {
            case OPEN -> validateOpen(request);
            case SET_LIMIT -> request.getOverdraftLimit() == null
                    ? violation("overdraftLimit", "is required to change the limit")
                    : validateLimit(request.getOverdraftLimit());
            case FREEZE, UNFREEZE, CLOSE -> Optional.empty();
        };
    }

    private static Optional<Violation> validateOpen(AccountRequest request) {
        if (!Money.isCurrency(request.getCurrency())) {
            return violation("currency", "must be an upper-case ISO-4217 code");
        }
        if (request.getAccountType() == null) {
            return violation("type", "is required");
        }
        return request.getOverdraftLimit() == null ? Optional.empty() : validateLimit(request.getOverdraftLimit());
    }

    private static Optional<Violation> validateLimit(long overdraftLimit) {
        if (overdraftLimit < 0 || overdraftLimit > Money.MAX_AMOUNT_MINOR) {
            return violation("overdraftLimit", "must be between 0 and " + Money.MAX_AMOUNT_MINOR + " minor units");
        }
        return Optional.empty();
    }

    private static Optional<Violation> violation(String field, String message) {
        return Optional.of(new Violation(field, message));
    }
}
