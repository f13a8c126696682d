package io.paystream.processor.cards;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Payment;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.schemas.avro.AcquirerResult;
import io.paystream.schemas.avro.ChargeStatus;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;

/**
 * What the acquirer's answer to a card top-up's charge does, once per payment: an approved charge sends the CREDIT
 * leg to the payee's ledger task, which credits the account and completes the payment as it does any top-up; a
 * declined one ends the payment REJECTED(CARD_DECLINED) with the acquirer's code, journalled on the payee and notified
 * to it. A second answer for the same payment (the connector retried after a crash) changes nothing.
 */
public final class CardResultRules {
    private CardResultRules() {
    }

    /** The outcome recorded for a payment once its first answer was acted on, e.g. {@code APPROVED:ch_1}. */
    public static String recorded(AcquirerResult result) {
        return result.getStatus() + ":" + (result.getStatus() == ChargeStatus.APPROVED ? result.getChargeId()
                : result.getDeclineCode());
    }

    /**
     * The emissions for the first answer to a payment's charge.
     *
     * @param nowMs the result record's timestamp
     */
    public static Emissions decide(AcquirerResult result, long nowMs) {
        Payment payment = new Payment(result.getPaymentId(), PaymentType.TOPUP, null, result.getTo(),
                result.getAmount(), result.getCurrency(), result.getReference(), result.getRequestedAtMs());
        if (result.getStatus() == ChargeStatus.APPROVED) {
            return Emissions.builder()
                    .leg(PaymentRecords.leg(payment, LedgerCommandType.CREDIT, payment.to(), null))
                    .build();
        }
        String code = result.getDeclineCode() == null ? "unknown" : result.getDeclineCode();
        String detail = "the acquirer declined the card: " + code;
        return Emissions.builder()
                .event(PaymentRecords.event(payment, PaymentStatus.REJECTED, RejectionReason.CARD_DECLINED, detail,
                        nowMs))
                .audit(PaymentRecords.rejection(payment, "CHARGE", payment.to(), RejectionReason.CARD_DECLINED,
                        detail, nowMs))
                .notification(PaymentRecords.notification(payment, PaymentStatus.REJECTED, NotificationRole.PAYEE,
                        RejectionReason.CARD_DECLINED, nowMs))
                .build();
    }
}
