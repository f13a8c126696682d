package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Payment;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AcquirerOperation;
import io.paystream.schemas.avro.AcquirerRequest;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.CardTopUp;
import io.paystream.schemas.avro.CardTopUpStatus;
import io.paystream.schemas.avro.ChargeStatus;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import java.util.Objects;

/**
 * A card top-up on its payee's task, which keeps what it asked the acquirer to charge ({@code card-top-ups}, key
 * paymentId) and checks every answer against it.
 *
 * <pre>
 * CARD_CHARGE ─ the payee would take the credit now ─► charge asked (CHARGING) ─► acquirer.requests.v1
 *      └─ it would not (gone, inactive, another currency, at its ceiling) ─► REJECTED; no card is charged
 * CARD_RESULT APPROVED ─ the payee takes it ─► credited, COMPLETED (CREDITED)
 *      └─ it no longer does ─► CHARGE_REFUND_OWED journalled, refund asked (REFUNDING) ─► acquirer.requests.v1
 * CARD_RESULT DECLINED ─► REJECTED(CARD_DECLINED) (DECLINED)
 * CARD_RESULT REFUNDED ─► CHARGE_REFUNDED journalled, REJECTED with the payee's reason (REFUNDED)
 * </pre>
 *
 * An answer repeated (the connector retried) changes nothing. An answer for a charge this task never asked for, or
 * for another amount, currency or payee, or that contradicts the answer already acted on, is a programming or
 * trust failure upstream: deciding throws, and the ledger dead-letters it without a compensation.
 */
final class CardTopUpRules {
    private CardTopUpRules() {
    }

    /**
     * Asks the acquirer to charge the card, if the payee would take the credit now; otherwise the top-up is
     * REJECTED and no card is charged.
     *
     * @param known this payment's entry, or null before its first CARD_CHARGE
     */
    static LedgerOutcome charge(AccountState account, CardTopUp known, LedgerCommand command, long nowMs) {
        Payment payment = checked(command);
        Invariants.check(command.getCardToken() != null, "CARD_CHARGE %s names no card", command.getCommandId());
        if (known != null) {
            return LedgerOutcome.unchanged(); // asked already: the acquirer's idempotency key makes it one charge
        }
        Rejection refusal = PaymentLegRules.creditRefusal(account, command.getAccountId(), payment);
        if (refusal != null) {
            return LedgerOutcome.refused(command, refusal, nowMs);
        }
        CardTopUp charging = CardTopUp.newBuilder()
                .setPaymentId(payment.paymentId())
                .setTo(payment.to())
                .setAmount(payment.amountMinor())
                .setCurrency(payment.currency())
                .setRequestedAtMs(payment.requestedAtMs())
                .setStatus(CardTopUpStatus.CHARGING)
                .setUpdatedAtMs(nowMs)
                .build();
        AcquirerRequest request = acquirerRequest(payment, AcquirerOperation.CHARGE)
                .setToken(command.getCardToken())
                .setReference(command.getReference())
                .setClientId(command.getClientId())
                .build();
        return new LedgerOutcome(null, Emissions.builder().charge(request).build(), charging);
    }

    /**
     * Acts on the acquirer's answer, checked against the charge asked for.
     *
     * @param known this payment's entry on this task, or null when this task never asked for its charge
     */
    static LedgerOutcome result(AccountState account, CardTopUp known, LedgerCommand result, long nowMs) {
        Invariants.check(result.getChargeStatus() != null, "CARD_RESULT %s carries no status",
                result.getCommandId());
        Invariants.check(known != null, "no card charge was asked for payment %s on account %s",
                result.getPaymentId(), result.getAccountId());
        Invariants.check(known.getAmount() == result.getAmount() && known.getCurrency().equals(result.getCurrency())
                        && known.getTo().equals(result.getAccountId()),
                "the answer for payment %s is for %d %s to %s; the charge asked was %d %s to %s", result.getPaymentId(),
                result.getAmount(), result.getCurrency(), result.getAccountId(), known.getAmount(),
                known.getCurrency(), known.getTo());
        return switch (result.getChargeStatus()) {
            case APPROVED -> approved(account, known, result, nowMs);
            case DECLINED -> declined(known, result, nowMs);
            case REFUNDED -> refunded(known, result, nowMs);
        };
    }

    private static LedgerOutcome approved(AccountState account, CardTopUp known, LedgerCommand result, long nowMs) {
        Invariants.check(result.getChargeId() != null, "the approval of payment %s names no charge",
                result.getPaymentId());
        if (known.getStatus() != CardTopUpStatus.CHARGING) {
            Invariants.check(result.getChargeId().equals(known.getChargeId()),
                    "payment %s was answered %s already; an approval of charge %s contradicts it",
                    known.getPaymentId(), known.getStatus(), result.getChargeId());
            return LedgerOutcome.unchanged();
        }
        Payment payment = paymentOf(known);
        Rejection refusal = PaymentLegRules.creditRefusal(account, known.getTo(), payment);
        CardTopUp.Builder next = CardTopUp.newBuilder(known).setChargeId(result.getChargeId()).setUpdatedAtMs(nowMs);
        if (refusal == null) {
            AccountState credited = PaymentLegRules.credited(account, payment, nowMs);
            return new LedgerOutcome(credited, PaymentLegRules.completed(result, payment, credited, nowMs),
                    next.setStatus(CardTopUpStatus.CREDITED).build());
        }
        // The payee changed between the check and the approval: the cardholder paid for a credit that cannot be
        // made. The money is owed back until the acquirer confirms the refund; the payment ends only then.
        String detail = refusal.detail() + "; the card charge " + result.getChargeId() + " is being refunded";
        AcquirerRequest refund = acquirerRequest(payment, AcquirerOperation.REFUND)
                .setChargeId(result.getChargeId())
                .build();
        Emissions emissions = Emissions.builder()
                .audit(PaymentRecords.rejection(payment, LedgerCommandType.CREDIT.name(), known.getTo(),
                        refusal.reason(), detail, nowMs))
                .audit(owed(payment, AuditKind.CHARGE_REFUND_OWED, payment.amountMinor(), refusal.reason(), detail,
                        nowMs))
                .charge(refund)
                .build();
        return new LedgerOutcome(null, emissions, next.setStatus(CardTopUpStatus.REFUNDING)
                .setReason(refusal.reason()).setDetail(refusal.detail()).build());
    }

    private static LedgerOutcome declined(CardTopUp known, LedgerCommand result, long nowMs) {
        if (known.getStatus() != CardTopUpStatus.CHARGING) {
            Invariants.check(known.getStatus() == CardTopUpStatus.DECLINED,
                    "payment %s was answered %s already; a decline contradicts it", known.getPaymentId(),
                    known.getStatus());
            return LedgerOutcome.unchanged();
        }
        Payment payment = paymentOf(known);
        String code = result.getDeclineCode() == null ? "unknown" : result.getDeclineCode();
        String detail = "the acquirer declined the card: " + code;
        Emissions emissions = Emissions.builder()
                .event(PaymentRecords.event(payment, PaymentStatus.REJECTED, RejectionReason.CARD_DECLINED, detail,
                        nowMs))
                .audit(PaymentRecords.rejection(payment, "CHARGE", payment.to(), RejectionReason.CARD_DECLINED,
                        detail, nowMs))
                .notification(PaymentRecords.notification(payment, PaymentStatus.REJECTED, NotificationRole.PAYEE,
                        RejectionReason.CARD_DECLINED, nowMs))
                .build();
        return new LedgerOutcome(null, emissions, CardTopUp.newBuilder(known).setStatus(CardTopUpStatus.DECLINED)
                .setUpdatedAtMs(nowMs).build());
    }

    private static LedgerOutcome refunded(CardTopUp known, LedgerCommand result, long nowMs) {
        Invariants.check(known.getStatus() == CardTopUpStatus.REFUNDING || known.getStatus() == CardTopUpStatus.REFUNDED,
                "payment %s is %s; no refund of its charge was asked for", known.getPaymentId(), known.getStatus());
        Invariants.check(Objects.equals(result.getChargeId(), known.getChargeId()),
                "the refund answered for payment %s is of charge %s, not of %s", known.getPaymentId(),
                result.getChargeId(), known.getChargeId());
        if (known.getStatus() == CardTopUpStatus.REFUNDED) {
            return LedgerOutcome.unchanged();
        }
        Payment payment = paymentOf(known);
        String detail = known.getDetail() + "; the card charge " + known.getChargeId() + " was refunded";
        Emissions emissions = Emissions.builder()
                .audit(owed(payment, AuditKind.CHARGE_REFUNDED, -payment.amountMinor(), known.getReason(), detail,
                        nowMs))
                .event(PaymentRecords.event(payment, PaymentStatus.REJECTED, known.getReason(), detail, nowMs))
                .notification(PaymentRecords.notification(payment, PaymentStatus.REJECTED, NotificationRole.PAYEE,
                        known.getReason(), nowMs))
                .build();
        return new LedgerOutcome(null, emissions, CardTopUp.newBuilder(known).setStatus(CardTopUpStatus.REFUNDED)
                .setUpdatedAtMs(nowMs).build());
    }

    /**
     * A journal entry of what PayStream owes the cardholder: +amount when a refund is owed, -amount when the acquirer
     * confirmed it. It moves no balance, so it has no entrySeq; the sum per currency is what is owed now.
     */
    private static AuditRecord owed(Payment payment, AuditKind kind, long signedAmountMinor, RejectionReason reason,
            String detail, long nowMs) {
        return AuditRecord.newBuilder()
                .setAuditId(payment.paymentId() + ":" + kind)
                .setKind(kind)
                .setAccountId(payment.to())
                .setPaymentId(payment.paymentId())
                .setPaymentType(PaymentType.TOPUP)
                .setAmount(signedAmountMinor)
                .setCurrency(payment.currency())
                .setReason(reason)
                .setDetail(detail)
                .setCreatedAtMs(nowMs)
                .build();
    }

    /** What the acquirer is asked to do for {@code payment}: the fields a charge and a refund share. */
    private static AcquirerRequest.Builder acquirerRequest(Payment payment, AcquirerOperation operation) {
        return AcquirerRequest.newBuilder()
                .setOperation(operation)
                .setPaymentId(payment.paymentId())
                .setTo(payment.to())
                .setAmount(payment.amountMinor())
                .setCurrency(payment.currency())
                .setRequestedAtMs(payment.requestedAtMs());
    }

    /** True once nothing more can happen to the top-up: credited, declined, or refunded. */
    static boolean hasEnded(CardTopUp topUp) {
        return topUp.getStatus() == CardTopUpStatus.CREDITED || topUp.getStatus() == CardTopUpStatus.DECLINED
                || topUp.getStatus() == CardTopUpStatus.REFUNDED;
    }

    /** True for the commands that read and write their payment's {@code card-top-ups} entry. */
    static boolean readsCardTopUp(LedgerCommand command) {
        return command.getType() == LedgerCommandType.CARD_CHARGE
                || command.getType() == LedgerCommandType.CARD_RESULT;
    }

    private static Payment paymentOf(CardTopUp known) {
        return new Payment(known.getPaymentId(), PaymentType.TOPUP, null, known.getTo(), known.getAmount(),
                known.getCurrency(), null, known.getRequestedAtMs());
    }

    private static Payment checked(LedgerCommand command) {
        Payment payment = PaymentLegRules.checkedPayment(command, command.getAccountId().equals(command.getTo()));
        Invariants.check(payment.type() == PaymentType.TOPUP, "%s %s is for a %s, not a card TOPUP",
                command.getType(), command.getCommandId(), payment.type());
        return payment;
    }
}
