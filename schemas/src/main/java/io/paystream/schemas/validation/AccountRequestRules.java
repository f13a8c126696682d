package io.paystream.schemas.validation;

import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.BalanceMonitor;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** The validation rules for an account request, shared by the ingress and the processor's account intake. */
public final class AccountRequestRules {
    /** Request ids name audit records; bound them like idempotency keys. */
    public static final int REQUEST_ID_LENGTH_MAX = 255;
    /** RFC 5321's limit on a path. */
    public static final int EMAIL_LENGTH_MAX = 254;
    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
                    + "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

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
            case ADD_MONITOR -> validateMonitor(request);
            case REMOVE_MONITOR -> names(request.getMonitorId(), request.getAccountId())
                    ? Optional.empty() : violation("monitorId", "must be a monitor id of account "
                            + request.getAccountId());
        };
    }

    private static Optional<Violation> validateMonitor(AccountRequest request) {
        BalanceMonitor monitor = request.getMonitor();
        if (monitor == null) {
            return violation("monitor", "is required to add a monitor");
        }
        if (!names(monitor.getMonitorId(), request.getAccountId())) {
            return violation("monitorId", "must be a monitor id of account " + request.getAccountId());
        }
        if (Math.abs(monitor.getAmount()) > Money.MAX_AMOUNT_MINOR) {
            return violation("amount", "must be between -" + Money.MAX_AMOUNT_MINOR + " and " + Money.MAX_AMOUNT_MINOR
                    + " minor units");
        }
        return Optional.empty();
    }

    private static boolean names(String monitorId, String accountId) {
        return MonitorIds.accountOf(monitorId).filter(accountId::equals).isPresent();
    }

    private static Optional<Violation> validateOpen(AccountRequest request) {
        if (!Money.isCurrency(request.getCurrency())) {
            return violation("currency", "must be an upper-case ISO-4217 code");
        }
        if (request.getAccountType() == null) {
            return violation("type", "is required");
        }
        if (request.getEmail() != null && !isEmail(request.getEmail())) {
            return violation("email", "must be an address such as alice@example.com, of at most " + EMAIL_LENGTH_MAX
                    + " characters");
        }
        return request.getOverdraftLimit() == null ? Optional.empty() : validateLimit(request.getOverdraftLimit());
    }

    /**
     * A plain address: local part, {@code @}, a dotted domain. Deliberately narrower than RFC 5322 (no quoted local
     * parts, comments or IP literals), and never a line break, so an address can go into a mail header as it is.
     */
    public static boolean isEmail(String email) {
        return email != null && email.length() <= EMAIL_LENGTH_MAX && EMAIL.matcher(email).matches();
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
