package io.paystream.processor.core;

import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.validation.Money;
import io.paystream.schemas.validation.PaymentRequestRules;
import java.util.Objects;

/**
 * The facts of one payment that every leg, event, audit record and notification repeats. Built from the request at
 * intake, and from any payment leg later, so that each step can be decided from its command alone.
 *
 * @param paymentId the payment id (a UUID)
 * @param type what the payment moves; null only for an invalid request that lacked it
 * @param from the payer, absent for TOPUP
 * @param to the payee, absent for WITHDRAWAL
 * @param amountMinor minor units
 * @param currency ISO-4217 code
 * @param reference free text, only known at intake
 * @param requestedAtMs timestamp of the request record
 */
public record Payment(
        String paymentId,
        PaymentType type,
        String from,
        String to,
        long amountMinor,
        String currency,
        String reference,
        long requestedAtMs) {

    public Payment {
        Objects.requireNonNull(paymentId, "paymentId");
    }

    /** The payment a request asks for, requested at the request record's timestamp. */
    public static Payment of(PaymentRequest request, long requestedAtMs) {
        return new Payment(request.getPaymentId(), request.getType(), request.getFrom(), request.getTo(),
                request.getAmount(), request.getCurrency(), request.getReference(), requestedAtMs);
    }

    /** The payment a ledger leg belongs to. The leg must carry a payment id. */
    public static Payment of(LedgerCommand leg) {
        return new Payment(leg.getPaymentId(), leg.getPaymentType(), leg.getFrom(), leg.getTo(), leg.getAmount(),
                leg.getCurrency(), null, leg.getRequestedAtMs());
    }

    /**
     * This payment without the fields that break the request rules, for the events and journal entry that reject it:
     * a rejection never carries text that nobody validated (an over-long reference would reach the sinks' columns, a
     * bidi control an operator's console).
     */
    public Payment withoutInvalidFields() {
        return new Payment(paymentId, type, Money.isAccountId(from) ? from : null, Money.isAccountId(to) ? to : null,
                amountMinor, Money.isCurrency(currency) ? currency : null,
                PaymentRequestRules.isValidReference(reference) ? reference : null, requestedAtMs);
    }

    /** True when the payment debits a payer first (everything but TOPUP). */
    public boolean debitsFirst() {
        return type != PaymentType.TOPUP;
    }

    /** True when the payment credits a payee (everything but WITHDRAWAL). */
    public boolean creditsPayee() {
        return type != PaymentType.WITHDRAWAL;
    }

    /** The account a journal entry about the whole payment belongs to: the payer, else the payee, else the payment id. */
    public String primaryAccountId() {
        if (from != null) {
            return from;
        }
        return to != null ? to : paymentId;
    }
}
