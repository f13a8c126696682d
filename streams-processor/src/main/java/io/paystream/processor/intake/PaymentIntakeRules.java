package io.paystream.processor.intake;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Failures;
import io.paystream.processor.core.Payment;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.schemas.validation.Violation;
import java.util.Objects;
import java.util.Optional;

/**
 * Payment intake as a pure function: deduplicates by payment id and fingerprint, validates with the same rules as the
 * ingress, and starts the saga with its first leg (DEBIT of the payer, or CREDIT of the payee for a TOPUP).
 */
public final class PaymentIntakeRules {
    /** How much of a conflicting fingerprint names its journal entry: enough to tell conflicts apart. */
    private static final int CONFLICT_ID_HEX_CHARS = 16;

    private PaymentIntakeRules() {
    }

    /**
     * Decides what to do with a request.
     *
     * @param request the request, whose payment id equals the record key
     * @param storedFingerprint the fingerprint already stored for this payment id, or null on first sighting
     * @param nowMs the request record's timestamp
     */
    public static IntakeOutcome decide(PaymentRequest request, String storedFingerprint, long nowMs) {
        Objects.requireNonNull(request, "request");
        String fingerprint = RequestFingerprint.of(request);
        Payment payment = Payment.of(request, nowMs);
        if (storedFingerprint != null) {
            if (storedFingerprint.equals(fingerprint)) {
                return new IntakeOutcome(IntakeOutcome.Kind.DUPLICATE, null, Emissions.none());
            }
            String detail = "payment id " + payment.paymentId() + " was already used for a different request";
            return new IntakeOutcome(IntakeOutcome.Kind.CONFLICT, null, Emissions.builder()
                    .audit(PaymentRecords.rejection(payment, "INTAKE-" + fingerprint.substring(0, CONFLICT_ID_HEX_CHARS),
                            payment.primaryAccountId(), RejectionReason.IDEMPOTENCY_CONFLICT, detail, nowMs))
                    .build());
        }
        Optional<Violation> violation = PaymentRequestRules.validate(request);
        if (violation.isPresent()) {
            return new IntakeOutcome(IntakeOutcome.Kind.INVALID, fingerprint, reject(payment.withoutInvalidFields(),
                    RejectionReason.INVALID_REQUEST, violation.get().toString(), nowMs));
        }
        Emissions.Builder accepted = Emissions.builder()
                .event(PaymentRecords.event(payment, PaymentStatus.ACCEPTED, null, null, nowMs));
        if (payment.debitsFirst()) {
            accepted.leg(PaymentRecords.leg(payment, LedgerCommandType.DEBIT, payment.from(), null));
        } else {
            accepted.leg(PaymentRecords.leg(payment, LedgerCommandType.CREDIT, payment.to(), null));
        }
        return new IntakeOutcome(IntakeOutcome.Kind.ACCEPTED, fingerprint, accepted.build());
    }

    /**
     * The outcome when deciding threw: the payment is REJECTED(INTERNAL_ERROR), and its id is remembered so that a
     * retry of the same request cannot start a second life for it.
     */
    public static IntakeOutcome failed(PaymentRequest request, RuntimeException failure, long nowMs) {
        Payment payment = Payment.of(request, nowMs);
        return new IntakeOutcome(IntakeOutcome.Kind.FAILED, "failed:" + failure.getClass().getName(),
                reject(payment, RejectionReason.INTERNAL_ERROR, Failures.describe(failure), nowMs));
    }

    private static Emissions reject(Payment payment, RejectionReason reason, String detail, long nowMs) {
        return Emissions.builder()
                .event(PaymentRecords.event(payment, PaymentStatus.REJECTED, reason, detail, nowMs))
                .audit(PaymentRecords.rejection(payment, "INTAKE", payment.primaryAccountId(), reason, detail, nowMs))
                .build();
    }
}
