package io.paystream.ingress.core;

import io.paystream.ingress.api.CreateAccountRequest;
import io.paystream.ingress.api.CreatePaymentRequest;
import io.paystream.ingress.lookup.PaymentLookup;
import io.paystream.schemas.BatchIds;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.ActionType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.CaptureMode;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentSource;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.validation.AccountRequestRules;
import io.paystream.schemas.validation.FreeText;
import io.paystream.schemas.validation.Money;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.schemas.validation.Violation;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.paystream.web.errors.ApiError;
import io.paystream.web.errors.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns validated HTTP bodies into the Avro records the processor consumes, applying the shared validation rules,
 * the ownership rule (a client may debit only accounts it owns, and may top up or open only its own accounts) and the
 * privileged scopes: {@code funds:write} for a TOPUP, {@code credit:write} for an overdraft limit.
 */
public final class Commands {
    /** The header that makes a payment idempotent. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private Commands() {
    }

    /**
     * The payment request to publish.
     *
     * @throws ApiException 422 for an invalid body or Idempotency-Key, 403 for an account the client does not own
     */
    public static PaymentRequest payment(PaymentIds ids, ApiClient client, String idempotencyKey,
            CreatePaymentRequest body, long minHoldSeconds) {
        checkIdempotencyKey(idempotencyKey);
        // Debits need the payer's owner; a top-up, which creates money in an account, needs the payee's owner. That
        // account is also the one the first leg moves, which scopes the Idempotency-Key and keys the record.
        String firstLegAccount = PaymentRequestRules.firstLegAccount(body.type(), body.from(), body.to());
        return checked(client, body, minHoldSeconds, request(client, idempotencyKey, body)
                .setPaymentId(ids.derive(client.clientId(), String.valueOf(firstLegAccount), idempotencyKey))
                .build());
    }

    /** The most payments one batch may carry. */
    public static final int BATCH_SIZE_MAX = PaymentRequestRules.BATCH_SIZE_MAX;

    /**
     * The payments of a batch, each with its derived id, the batch's id and its index, checked as {@link #payment}
     * checks one. The first invalid payment fails the whole batch, naming its index ({@code payments[3].amount}).
     *
     * @param atomic true for an atomic batch, whose payments must be TRANSFERs or PAYMENTs captured automatically
     * @throws ApiException 422 for an invalid Idempotency-Key, an empty batch, one over {@link #BATCH_SIZE_MAX}, or an
     *     invalid payment; 403 for a payment whose account the client does not own or whose scope it lacks
     */
    public static List<PaymentRequest> batch(PaymentIds ids, ApiClient client, String idempotencyKey,
            List<CreatePaymentRequest> bodies, long minHoldSeconds, boolean atomic) {
        checkIdempotencyKey(idempotencyKey);
        if (bodies.isEmpty() || bodies.size() > BATCH_SIZE_MAX) {
            throw ApiException.invalidField("payments", "a batch has 1 to " + BATCH_SIZE_MAX + " payments, not "
                    + bodies.size());
        }
        String batchId = ids.deriveBatch(client.clientId(), idempotencyKey);
        List<PaymentRequest> payments = new ArrayList<>(bodies.size());
        for (int index = 0; index < bodies.size(); index++) {
            CreatePaymentRequest body = bodies.get(index);
            try {
                if (atomic) {
                    checkAtomic(body);
                }
                payments.add(checked(client, body, minHoldSeconds, request(client, idempotencyKey, body)
                        .setPaymentId(BatchIds.paymentId(batchId, index))
                        .setBatchId(batchId)
                        .setBatchIndex(index)
                        .setBatchSize(bodies.size())
                        .build()));
            } catch (ApiException e) {
                ApiError error = e.error();
                String param = "payments[" + index + "]" + (error.param() == null ? "" : "." + error.param());
                throw ApiException.of(e.getResponse().getStatus(), error.type(), error.code(),
                        "payments[" + index + "]: " + error.message(), param);
            }
        }
        return payments;
    }

    /** An atomic batch moves money from payers to payees, with holds it captures itself. */
    private static void checkAtomic(CreatePaymentRequest body) {
        if (body.type() == PaymentType.TOPUP || body.type() == PaymentType.WITHDRAWAL) {
            throw ApiException.invalidField("type", "an atomic batch takes TRANSFERs and PAYMENTs, not " + body.type());
        }
        if (body.capture() == CaptureMode.MANUAL) {
            throw ApiException.invalidField("capture", "an atomic batch captures its own holds: capture must be "
                    + "AUTOMATIC or absent");
        }
    }

    /** A request from the body's fields, without its id. */
    private static PaymentRequest.Builder request(ApiClient client, String idempotencyKey, CreatePaymentRequest body) {
        return PaymentRequest.newBuilder()
                .setPaymentId("")
                .setType(body.type())
                .setFrom(body.from())
                .setTo(body.to())
                .setAmount(body.amount())
                .setCurrency(body.currency())
                .setReference(body.reference())
                .setMetadata(body.metadata() == null ? Map.of() : body.metadata())
                .setClientId(client.clientId())
                .setIdempotencyKey(idempotencyKey)
                .setCapture(body.capture())
                .setHoldExpiresInSeconds(body.holdExpiresInSeconds())
                .setSource(body.source() == null ? null : PaymentSource.newBuilder().setType(body.source().type())
                        .setToken(body.source().token()).build());
    }

    /** The request, once the shared rules, the scopes and ownership accept it. */
    private static PaymentRequest checked(ApiClient client, CreatePaymentRequest body, long minHoldSeconds,
            PaymentRequest request) {
        String firstLegAccount = PaymentRequestRules.firstLegAccount(request);
        rejectIfInvalid(PaymentRequestRules.validate(request, minHoldSeconds));
        // A top-up creates money: without the scope, any tenant could mint balances and spend them on others. One
        // paid by card brings money the acquirer collected, so the account's owner may ask for it.
        if (body.type() == PaymentType.TOPUP && body.source() == null && !client.hasScope(Scopes.FUNDS_WRITE)) {
            throw ApiException.scopeRequired(Scopes.FUNDS_WRITE, "type",
                    "a TOPUP brings money in from outside the system");
        }
        if (!client.owns(firstLegAccount)) {
            throw ApiException.notOwned(firstLegAccount, body.type() == PaymentType.TOPUP ? "to" : "from");
        }
        return request;
    }

    /**
     * The account request to publish; its request id is unique per accepted HTTP request.
     *
     * @throws ApiException 422 for an invalid body, 403 for an account id outside the client's prefixes
     */
    public static AccountRequest openAccount(ApiClient client, String requestId, CreateAccountRequest body) {
        AccountRequest request = AccountRequest.newBuilder()
                .setRequestId(requestId)
                .setAccountId(body.accountId())
                .setCommand(AccountCommandType.OPEN)
                .setCurrency(body.currency())
                .setAccountType(body.type())
                .setOverdraftLimit(body.overdraftLimit() == null ? 0L : body.overdraftLimit())
                .setClientId(client.clientId())
                .setEmail(body.email())
                .build();
        rejectIfInvalid(AccountRequestRules.validate(request));
        // An overdraft limit lets the account spend money it does not have: credit, granted only with the scope.
        if (request.getOverdraftLimit() != null && request.getOverdraftLimit() != 0
                && !client.hasScope(Scopes.CREDIT_WRITE)) {
            throw ApiException.scopeRequired(Scopes.CREDIT_WRITE, "overdraftLimit", "an overdraftLimit grants credit");
        }
        if (!client.owns(body.accountId())) {
            throw ApiException.notOwned(body.accountId(), "accountId");
        }
        return request;
    }

    /**
     * A lifecycle command on an existing account: FREEZE, UNFREEZE, CLOSE, or SET_LIMIT with {@code overdraftLimit}.
     * FREEZE and CLOSE need the account's owner; UNFREEZE needs admin, because the freeze may be an operator's; and
     * SET_LIMIT needs {@code credit:write} (or admin), because a limit is credit.
     *
     * @throws ApiException 422 for an invalid account id or limit, 403 for a missing scope or an account not owned
     */
    public static AccountRequest accountCommand(ApiClient client, String requestId, String accountId,
            AccountCommandType command, Long overdraftLimit) {
        AccountRequest request = AccountRequest.newBuilder()
                .setRequestId(requestId)
                .setAccountId(accountId)
                .setCommand(command)
                .setOverdraftLimit(overdraftLimit)
                .setClientId(client.clientId())
                .build();
        rejectIfInvalid(AccountRequestRules.validate(request));
        if (command == AccountCommandType.UNFREEZE && !client.isAdmin()) {
            throw ApiException.scopeRequired(Scopes.ADMIN, "accountId",
                    "lifting a freeze is an operator's decision, since the freeze may be theirs");
        }
        if (command == AccountCommandType.SET_LIMIT && !client.hasScope(Scopes.CREDIT_WRITE)) {
            throw ApiException.scopeRequired(Scopes.CREDIT_WRITE, "overdraftLimit", "an overdraftLimit grants credit");
        }
        if (!client.owns(accountId)) {
            throw ApiException.notOwned(accountId, "accountId");
        }
        return request;
    }

    /**
     * The action to publish: a CAPTURE (of {@code amount}, or of the whole hold when null) or a VOID of a payment the
     * client's key pays from. The ingress cannot know whether the payment is still authorized: that is for the
     * processor to decide, and an action on a payment in another state is accepted and ends CAPTURE_FAILED or
     * VOID_FAILED with a reason.
     *
     * @param lookup the payment's parties and authorized amount, from the processors, or empty when none knows it
     * @throws ApiException 422 for an invalid Idempotency-Key, payment id or amount (including one above the amount
     *     authorized); 404 when no processor knows the payment; 403 when the key does not own its payer
     */
    public static PaymentAction action(PaymentIds ids, ApiClient client, String idempotencyKey, String paymentId,
            ActionType type, Long amount, Function<String, Optional<PaymentLookup.PaymentFacts>> lookup) {
        checkActionInput(idempotencyKey, paymentId, amount);
        PaymentLookup.PaymentFacts payment = find(paymentId, lookup);
        // The payer's owner captures or voids: the hold is on the payer's money.
        if (payment.from() == null || !client.owns(payment.from())) {
            throw ApiException.notOwned(String.valueOf(payment.from()), "from");
        }
        if (amount != null && payment.authorizedAmount() != null && amount > payment.authorizedAmount()) {
            throw ApiException.invalidField("amount", "amount " + amount + " is above the authorized "
                    + payment.authorizedAmount());
        }
        return PaymentAction.newBuilder()
                .setActionId(ids.deriveAction(client.clientId(), paymentId, type.name(), idempotencyKey))
                .setPaymentId(paymentId)
                .setType(type)
                .setAmount(amount)
                .setClientId(client.clientId())
                .setIdempotencyKey(idempotencyKey)
                .build();
    }

    /**
     * The refund to publish: {@code amount} of a payment the client's key is paid into, back to its payer. The ingress
     * cannot know what was refunded already, or whether the payee can cover it: the payee's ledger task decides, and
     * the refund ends SUCCEEDED or FAILED with a reason.
     *
     * @throws ApiException 422 for an invalid Idempotency-Key, payment id, amount (including one above what the
     *     payment can complete with) or reason; 404 when no processor knows the payment; 403 when the key does not own
     *     its payee
     */
    public static PaymentAction refund(PaymentIds ids, ApiClient client, String idempotencyKey, String paymentId,
            Long amount, String reason, Function<String, Optional<PaymentLookup.PaymentFacts>> lookup) {
        checkActionInput(idempotencyKey, paymentId, amount);
        if (amount == null) {
            throw ApiException.invalidField("amount", "amount is required: the minor units to refund");
        }
        if (!PaymentRequestRules.isValidReference(reason)) {
            throw ApiException.invalidField("reason", "reason must be at most " + PaymentRequestRules.REFERENCE_LENGTH_MAX
                    + " characters, without control or bidirectional characters");
        }
        PaymentLookup.PaymentFacts payment = find(paymentId, lookup);
        // The payee's owner refunds: the money comes from the payee.
        if (payment.to() == null || !client.owns(payment.to())) {
            throw ApiException.notOwned(String.valueOf(payment.to()), "to");
        }
        if (amount > payment.completableAmount()) {
            throw ApiException.invalidField("amount", "amount " + amount + " is above the payment's "
                    + payment.completableAmount());
        }
        return PaymentAction.newBuilder()
                .setActionId(ids.deriveAction(client.clientId(), paymentId, ActionType.REFUND.name(), idempotencyKey))
                .setPaymentId(paymentId)
                .setType(ActionType.REFUND)
                .setAmount(amount)
                .setReason(reason)
                .setClientId(client.clientId())
                .setIdempotencyKey(idempotencyKey)
                .build();
    }

    private static void checkActionInput(String idempotencyKey, String paymentId, Long amount) {
        checkIdempotencyKey(idempotencyKey);
        FreeText.problem(idempotencyKey).ifPresent(problem -> {
            throw ApiException.of(422, ApiError.INVALID_REQUEST, "invalid_header", IDEMPOTENCY_KEY + " " + problem,
                    IDEMPOTENCY_KEY);
        });
        if (!PaymentRequestRules.isPaymentId(paymentId)) {
            throw ApiException.invalidField("paymentId", "paymentId must be a lower-case UUID");
        }
        if (amount != null && !Money.isValidAmount(amount)) {
            throw ApiException.invalidField("amount", "amount must be between " + Money.MIN_AMOUNT_MINOR + " and "
                    + Money.MAX_AMOUNT_MINOR + " minor units");
        }
    }

    private static PaymentLookup.PaymentFacts find(String paymentId,
            Function<String, Optional<PaymentLookup.PaymentFacts>> lookup) {
        return lookup.apply(paymentId).orElseThrow(() -> ApiException.of(404, ApiError.INVALID_REQUEST,
                "payment_not_found", "no payment " + paymentId + " is known", "paymentId"));
    }

    /**
     * Checks {@code request} against the shared account request rules.
     *
     * @throws ApiException 422 naming the field it breaks
     */
    public static AccountRequest accountRequest(AccountRequest request) {
        rejectIfInvalid(AccountRequestRules.validate(request));
        return request;
    }

    /**
     * An Idempotency-Key is present and of a length the ledger accepts.
     *
     * @throws ApiException 422 naming the header otherwise
     */
    public static void checkIdempotencyKey(String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isEmpty()
                || idempotencyKey.length() > PaymentRequestRules.IDEMPOTENCY_KEY_LENGTH_MAX) {
            throw ApiException.of(422, ApiError.INVALID_REQUEST,
                    idempotencyKey == null ? "missing_header" : "invalid_header",
                    IDEMPOTENCY_KEY + " must be 1 to " + PaymentRequestRules.IDEMPOTENCY_KEY_LENGTH_MAX
                            + " characters", IDEMPOTENCY_KEY);
        }
    }

    private static void rejectIfInvalid(Optional<Violation> violation) {
        violation.ifPresent(v -> {
            throw ApiException.invalidField(v.field(), v.toString());
        });
    }
}
