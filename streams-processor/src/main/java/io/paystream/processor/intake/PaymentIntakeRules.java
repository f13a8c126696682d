package io.paystream.processor.intake;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Failures;
import io.paystream.processor.core.Payment;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.processor.ledger.AtomicBatchRules;
import io.paystream.processor.ledger.Rejection;
import io.paystream.schemas.avro.CaptureMode;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.schemas.validation.Violation;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Payment intake as a pure function: deduplicates by payment id and fingerprint, validates with the same rules as the
 * ingress, and starts the saga with its first leg (DEBIT of the payer, or CREDIT of the payee for a TOPUP).
 */
public final class PaymentIntakeRules {
    /** How much of a conflicting fingerprint names its journal entry: enough to tell conflicts apart. */
    private static final int CONFLICT_ID_HEX_CHARS = 16;
    /** Where a UUID's text holds its version digit, and the digit that carries its variant. */
    private static final int RANDOM_VERSION_INDEX = 14;
    private static final int RANDOM_VARIANT_INDEX = 19;

    private PaymentIntakeRules() {
    }

    /** {@link #decide(PaymentRequest, String, long, ApiClient)} for a request from the ingress. */
    public static IntakeOutcome decide(PaymentRequest request, String storedFingerprint, long nowMs) {
        return decide(request, storedFingerprint, nowMs, null);
    }

    /**
     * Decides what to do with a request.
     *
     * @param request the request, whose payment id equals the record key
     * @param storedFingerprint the fingerprint stored for this payment id, or null for an id never seen
     * @param nowMs the request record's timestamp
     * @param producer the direct producer whose topic the request came from, or null for the ingress's topic
     */
    public static IntakeOutcome decide(PaymentRequest request, String storedFingerprint, long nowMs,
            ApiClient producer) {
        return decide(request, storedFingerprint, nowMs, producer, PaymentRequestRules.HOLD_SECONDS_MIN);
    }

    /**
     * As {@link #decide(PaymentRequest, String, long, ApiClient)}, with the shortest hold given. The events of a
     * payment of a batch carry the batch's id, the payment's index and the batch's size, which the status view keeps.
     */
    public static IntakeOutcome decide(PaymentRequest request, String storedFingerprint, long nowMs,
            ApiClient producer, long minHoldSeconds) {
        return inBatch(request, decideAlone(request, storedFingerprint, nowMs, producer, minHoldSeconds), nowMs);
    }

    /**
     * {@code outcome} for a payment of a batch: its events name the batch; a payment of an atomic batch that is
     * refused here votes against its batch, so that the batch is rejected.
     */
    private static IntakeOutcome inBatch(PaymentRequest request, IntakeOutcome outcome, long nowMs) {
        if (request.getBatchId() == null || outcome.emissions().events().isEmpty()) {
            return outcome;
        }
        Emissions emissions = outcome.emissions();
        if (request.getBatchCoordinator() != null && outcome.kind() != IntakeOutcome.Kind.ACCEPTED) {
            PaymentEvent refused = emissions.events().get(0);
            emissions = Emissions.builder().addAll(emissions).leg(AtomicBatchRules.vote(
                    atomicLeg(request, Payment.of(request, nowMs), LedgerCommandType.VOTE,
                            request.getBatchCoordinator()).build(), false,
                    new Rejection(refused.getReason(), refused.getDetail()))).build();
        }
        return new IntakeOutcome(outcome.kind(), outcome.fingerprintToStore(), emissions.withEvents(
                outcome.emissions().events().stream().map(event -> event.getPaymentId().equals(request.getPaymentId())
                        ? PaymentEvent.newBuilder(event).setBatchId(request.getBatchId())
                                .setBatchIndex(request.getBatchIndex()).setBatchSize(request.getBatchSize())
                                .setBatchAtomic(request.getBatchCoordinator() != null ? Boolean.TRUE : null).build()
                        : event).toList()));
    }

    private static IntakeOutcome decideAlone(PaymentRequest request, String storedFingerprint, long nowMs,
            ApiClient producer, long minHoldSeconds) {
        Objects.requireNonNull(request, "request");
        String fingerprint = RequestFingerprint.of(request);
        Payment payment = Payment.of(request, nowMs);
        if (storedFingerprint != null) {
            return storedFingerprint.equals(fingerprint)
                    ? new IntakeOutcome(IntakeOutcome.Kind.DUPLICATE, null, Emissions.none())
                    : conflict(payment, fingerprint, nowMs);
        }
        Optional<String> refusal = producer == null ? Optional.empty() : refusal(request, producer);
        if (refusal.isPresent()) {
            return new IntakeOutcome(IntakeOutcome.Kind.NOT_PERMITTED, fingerprint,
                    reject(payment.withoutInvalidFields(), RejectionReason.NOT_PERMITTED, refusal.get(), nowMs));
        }
        Optional<Violation> violation = PaymentRequestRules.validate(request, minHoldSeconds);
        if (violation.isPresent()) {
            return new IntakeOutcome(IntakeOutcome.Kind.INVALID, fingerprint, reject(payment.withoutInvalidFields(),
                    RejectionReason.INVALID_REQUEST, violation.get().toString(), nowMs));
        }
        if (request.getBatchCoordinator() != null && (request.getCapture() == CaptureMode.MANUAL
                || request.getType() == PaymentType.TOPUP || request.getType() == PaymentType.WITHDRAWAL)) {
            return new IntakeOutcome(IntakeOutcome.Kind.INVALID, fingerprint, reject(payment.withoutInvalidFields(),
                    RejectionReason.INVALID_REQUEST, ATOMIC_PAYMENTS_ONLY, nowMs));
        }
        Emissions.Builder accepted = Emissions.builder()
                .event(PaymentRecords.event(payment, PaymentStatus.ACCEPTED, null, null, nowMs));
        if (request.getBatchCoordinator() != null) {
            // A payment of an atomic batch: its payer's money is held until the batch is decided, and only the
            // decision ends the hold (it never expires on its own).
            accepted.leg(atomicLeg(request, payment, LedgerCommandType.HOLD, payment.from()).setHoldExpiresAtMs(Long.MAX_VALUE)
                    .build());
        } else if (request.getCapture() == CaptureMode.MANUAL) {
            long seconds = request.getHoldExpiresInSeconds() == null ? PaymentRequestRules.HOLD_SECONDS_DEFAULT
                    : request.getHoldExpiresInSeconds();
            accepted.leg(LedgerCommand.newBuilder(PaymentRecords.leg(payment, LedgerCommandType.HOLD, payment.from(),
                    null)).setHoldExpiresAtMs(nowMs + TimeUnit.SECONDS.toMillis(seconds)).build());
        } else if (payment.debitsFirst()) {
            accepted.leg(PaymentRecords.leg(payment, LedgerCommandType.DEBIT, payment.from(), null));
        } else if (request.getSource() != null) {
            // A card top-up: the payee's task checks that it would take the credit before the card is charged, and
            // nothing is credited until the acquirer approves.
            accepted.leg(LedgerCommand.newBuilder(PaymentRecords.leg(payment, LedgerCommandType.CARD_CHARGE,
                            payment.to(), null))
                    .setCardToken(request.getSource().getToken())
                    .setReference(payment.reference())
                    .setClientId(request.getClientId())
                    .build());
        } else {
            accepted.leg(PaymentRecords.leg(payment, LedgerCommandType.CREDIT, payment.to(), null));
        }
        return new IntakeOutcome(IntakeOutcome.Kind.ACCEPTED, fingerprint, accepted.build());
    }

    /** Why a payment of an atomic batch was refused for its kind. */
    public static final String ATOMIC_PAYMENTS_ONLY = "the payments of an atomic batch are TRANSFERs and PAYMENTs, "
            + "captured automatically";

    /** A command of a payment of an atomic batch, on {@code accountId}, with the batch's fields. */
    private static LedgerCommand.Builder atomicLeg(PaymentRequest request, Payment payment, LedgerCommandType type,
            String accountId) {
        return LedgerCommand.newBuilder(PaymentRecords.leg(payment, type, accountId, null))
                .setBatchId(request.getBatchId())
                .setBatchIndex(request.getBatchIndex())
                .setBatchSize(request.getBatchSize())
                .setBatchCoordinator(request.getBatchCoordinator());
    }

    /**
     * Why a direct producer may not post this request, checked as the ingress checks an API key: its declared client
     * is the producer's own, the payer (for a TOPUP, the payee) is an account it owns, and it holds the scope of the
     * payment's type. A request without a type is left to validation.
     */
    static Optional<String> refusal(PaymentRequest request, ApiClient producer) {
        if (!producer.clientId().equals(request.getClientId())) {
            return Optional.of("clientId " + Failures.abbreviate(request.getClientId()) + " is not "
                    + producer.clientId() + ", whose topic this request was written to");
        }
        if (request.getType() == null) {
            return Optional.empty();
        }
        boolean topUp = request.getType() == PaymentType.TOPUP;
        // Money from outside is privileged, unless a card pays for it: then the account's owner may ask.
        String scope = topUp && request.getSource() == null ? Scopes.FUNDS_WRITE : Scopes.PAYMENTS_WRITE;
        if (!producer.hasScope(scope)) {
            return Optional.of(producer.clientId() + " may not post " + request.getType() + ": that needs scope "
                    + scope);
        }
        String account = topUp ? request.getTo() : request.getFrom();
        if (!producer.owns(account)) {
            return Optional.of((topUp ? "to" : "from") + " account " + Failures.abbreviate(account)
                    + " is not owned by " + producer.clientId());
        }
        return Optional.empty();
    }

    /**
     * True for a version 4 (random) UUID, the only kind a direct producer may choose: the ingress's ids are version 8,
     * derived under a secret, so no direct producer can take one first.
     */
    public static boolean isRandomId(String paymentId) {
        return PaymentRequestRules.isPaymentId(paymentId) && paymentId.charAt(RANDOM_VERSION_INDEX) == '4'
                && "89ab".indexOf(paymentId.charAt(RANDOM_VARIANT_INDEX)) >= 0;
    }

    /** The same id with other contents: journalled, and the first payment is left alone. */
    private static IntakeOutcome conflict(Payment payment, String fingerprint, long nowMs) {
        String detail = "payment id " + payment.paymentId() + " was already used for a different request";
        return new IntakeOutcome(IntakeOutcome.Kind.CONFLICT, null, Emissions.builder()
                .audit(PaymentRecords.rejection(payment, "INTAKE-" + fingerprint.substring(0, CONFLICT_ID_HEX_CHARS),
                        payment.primaryAccountId(), RejectionReason.IDEMPOTENCY_CONFLICT, detail, nowMs))
                .build());
    }

    /**
     * The outcome when deciding threw: the payment is REJECTED(INTERNAL_ERROR), and its id is remembered so that a
     * retry of the same request cannot start a second life for it.
     */
    public static IntakeOutcome failed(PaymentRequest request, RuntimeException failure, long nowMs) {
        Payment payment = Payment.of(request, nowMs);
        return inBatch(request, new IntakeOutcome(IntakeOutcome.Kind.FAILED, "failed:" + failure.getClass().getName(),
                reject(payment, RejectionReason.INTERNAL_ERROR, Failures.describe(failure), nowMs)), nowMs);
    }

    private static Emissions reject(Payment payment, RejectionReason reason, String detail, long nowMs) {
        return Emissions.builder()
                .event(PaymentRecords.event(payment, PaymentStatus.REJECTED, reason, detail, nowMs))
                .audit(PaymentRecords.rejection(payment, "INTAKE", payment.primaryAccountId(), reason, detail, nowMs))
                .build();
    }
}
