package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Payment;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.Money;

/**
 * Refunds: the payee gives a completed payment's money back to the payer, in part or in full, as often as the client
 * asks, never more in sum than the payment completed with. The payee's task decides, because the money comes from the
 * payee: it keeps what each payment has refunded (the {@code refunded-amounts} store) and refuses a refund that would
 * exceed the completed amount the REFUND leg carries, or that the payee's available money cannot cover.
 *
 * <pre>
 * REFUND on the payee ──debit──► REFUND_CREDIT on the payer ──credit──► REFUND_SUCCEEDED
 *      │                               └─ the payer cannot take it ──► REFUND_REVERSAL on the payee ──► REFUND_FAILED
 *      └─ inactive payee, refunds beyond the completed amount, not enough money ──────────────────────► REFUND_FAILED
 * </pre>
 *
 * Each refund's movements and events carry its action id, which makes their ids unique per refund.
 */
final class RefundRules {
    private RefundRules() {
    }

    /**
     * Debits the payee and sends the money to the payer, if the payee is active, its available money covers it, and the
     * payment's refunds stay within its completed amount.
     *
     * @param refunded what the payment's earlier refunds took from the payee (0 for the first)
     */
    static LedgerOutcome refund(AccountState account, long refunded, LedgerCommand leg, long nowMs) {
        Payment refund = checked(leg, leg.getAccountId().equals(leg.getTo()));
        Invariants.check(leg.getRefundableAmount() != null && leg.getRefundableAmount() > 0,
                "REFUND %s carries no refundable amount", leg.getCommandId());
        Rejection refusal = PaymentLegRules.usability(account, leg.getAccountId(), refund.currency());
        if (refusal == null && refund.amountMinor() > leg.getRefundableAmount() - refunded) {
            refusal = new Rejection(RejectionReason.EXCEEDS_REFUNDABLE, "a refund of " + refund.amountMinor()
                    + " exceeds what is left to refund: " + (leg.getRefundableAmount() - refunded) + " of the "
                    + leg.getRefundableAmount() + " completed");
        }
        long balanceAfter = refusal == null ? Math.subtractExact(account.getBalance(), refund.amountMinor()) : 0;
        if (refusal == null && balanceAfter - account.getHeld() < -account.getOverdraftLimit()) {
            refusal = PaymentLegRules.overdraft(account, refund);
        }
        if (refusal != null) {
            return LedgerOutcome.refused(leg, refusal, nowMs);
        }
        AccountState debited = PaymentLegRules.move(account, balanceAfter, nowMs);
        Emissions emissions = Emissions.builder()
                .audit(movement(refund, leg, AuditKind.REFUND, -refund.amountMinor(), debited, null, nowMs))
                .leg(LedgerCommand.newBuilder(leg)
                        .setCommandId(refund.paymentId() + ":" + LedgerCommandType.REFUND_CREDIT + ":"
                                + leg.getActionId())
                        .setType(LedgerCommandType.REFUND_CREDIT)
                        .setAccountId(refund.from())
                        .setRefundableAmount(null)
                        .build())
                .build();
        return new LedgerOutcome(debited, emissions, new LedgerOutcome.RefundChange(refund.paymentId(),
                refunded + refund.amountMinor(), leg.getActionId()));
    }

    /**
     * Credits the payer with the refund: REFUND_SUCCEEDED. A payer that cannot take it (gone, frozen, closing, closed,
     * or at its balance ceiling) is refused, and the compensation sends the money back to the payee.
     */
    static LedgerOutcome credit(AccountState account, LedgerCommand leg, long nowMs) {
        Payment refund = checked(leg, leg.getAccountId().equals(leg.getFrom()));
        Rejection refusal = PaymentLegRules.usability(account, leg.getAccountId(), refund.currency());
        long balanceAfter = refusal == null ? Math.addExact(account.getBalance(), refund.amountMinor()) : 0;
        if (refusal == null && balanceAfter > Money.MAX_BALANCE_MINOR) {
            refusal = new Rejection(RejectionReason.AMOUNT_OVERFLOW,
                    "the refund would take the balance over " + Money.MAX_BALANCE_MINOR + " minor units");
        }
        if (refusal != null) {
            return LedgerOutcome.refused(leg, refusal, nowMs);
        }
        AccountState credited = PaymentLegRules.move(account, balanceAfter, nowMs);
        Emissions emissions = Emissions.builder()
                .audit(movement(refund, leg, AuditKind.REFUND_CREDIT, refund.amountMinor(), credited, null, nowMs))
                .event(event(refund, leg, PaymentStatus.REFUND_SUCCEEDED, null, null, nowMs))
                .notification(notification(refund, leg, PaymentStatus.REFUND_SUCCEEDED, NotificationRole.PAYER, null,
                        nowMs))
                .notification(notification(refund, leg, PaymentStatus.REFUND_SUCCEEDED, NotificationRole.PAYEE, null,
                        nowMs))
                .build();
        return new LedgerOutcome(credited, emissions);
    }

    /**
     * Gives the payee back a refund the payer could not take: REFUND_FAILED with the payer's reason. Like a payment's
     * REVERSAL it applies whatever the payee's status, because it is the payee's own money coming back; and the
     * payment may be refunded again by that much.
     */
    static LedgerOutcome reversal(AccountState account, long refunded, LedgerCommand leg, long nowMs) {
        Payment refund = checked(leg, leg.getAccountId().equals(leg.getTo()));
        Invariants.check(account != null, "refund reversal of payment %s on missing account %s", refund.paymentId(),
                leg.getAccountId());
        Invariants.check(account.getCurrency().equals(refund.currency()),
                "refund reversal of payment %s in %s on a %s account", refund.paymentId(), refund.currency(),
                account.getCurrency());
        Invariants.check(refunded >= refund.amountMinor(), "refund reversal of %d for payment %s, which refunded %d",
                refund.amountMinor(), refund.paymentId(), refunded);
        RejectionReason reason = leg.getReason() == null ? RejectionReason.INTERNAL_ERROR : leg.getReason();
        AccountState returned = PaymentLegRules.move(account, Math.addExact(account.getBalance(), refund.amountMinor()), nowMs);
        Emissions emissions = Emissions.builder()
                .audit(movement(refund, leg, AuditKind.REFUND_REVERSAL, refund.amountMinor(), returned, reason,
                        nowMs))
                .event(event(refund, leg, PaymentStatus.REFUND_FAILED, reason,
                        "the payer " + refund.from() + " could not take the refund; it was returned to "
                                + refund.to(), nowMs))
                .notification(notification(refund, leg, PaymentStatus.REFUND_FAILED, NotificationRole.PAYEE, reason,
                        nowMs))
                .build();
        return new LedgerOutcome(returned, emissions, new LedgerOutcome.RefundChange(refund.paymentId(),
                refunded - refund.amountMinor(), null));
    }

    /**
     * A refund the payee's task refuses: its REFUND_FAILED event, the refusal in the payee's journal, and a
     * notification to the payee, who asked for it.
     */
    static Emissions failed(LedgerCommand leg, Rejection rejection, long nowMs) {
        Payment refund = Payment.of(leg);
        Emissions.Builder emissions = Emissions.builder().addAll(PaymentRecords.actionFailed(refund,
                leg.getActionId(), PaymentStatus.REFUND_FAILED, leg.getType().name(), leg.getAccountId(),
                rejection.reason(), rejection.detail(), nowMs));
        if (Money.isAccountId(refund.to())) {
            emissions.notification(notification(refund, leg, PaymentStatus.REFUND_FAILED, NotificationRole.PAYEE,
                    rejection.reason(), nowMs));
        }
        return emissions.build();
    }

    /**
     * A REFUND_CREDIT the payer refused: the refusal in the payer's journal (its id names the refund), and the
     * REFUND_REVERSAL that gives the payee its money back.
     */
    static Emissions payerRefused(LedgerCommand credit, Rejection rejection, long nowMs) {
        AuditRecord refusal = AuditRecord.newBuilder(PaymentRecords.rejection(Payment.of(credit),
                        credit.getType().name(), credit.getAccountId(), rejection.reason(), rejection.detail(), nowMs))
                .setAuditId(credit.getPaymentId() + ":" + AuditKind.REJECTION + ":" + credit.getType() + ":"
                        + credit.getActionId())
                .setActionId(credit.getActionId())
                .build();
        return Emissions.builder().audit(refusal).leg(reversalOf(credit, rejection.reason())).build();
    }

    /** True for the refund legs on the payee, which read and write what their payment has refunded. */
    static boolean readsRefunded(LedgerCommand command) {
        return command != null && command.getPaymentId() != null
                && (command.getType() == LedgerCommandType.REFUND
                        || command.getType() == LedgerCommandType.REFUND_REVERSAL);
    }

    /** The {@code applied-refunds} key of one refund of one payment. */
    static String appliedKey(String paymentId, String refundId) {
        return paymentId + ":" + refundId;
    }

    /** The REFUND_REVERSAL that returns a refund the payer refused, keyed by the payee. */
    private static LedgerCommand reversalOf(LedgerCommand credit, RejectionReason reason) {
        return LedgerCommand.newBuilder(credit)
                .setCommandId(credit.getPaymentId() + ":" + LedgerCommandType.REFUND_REVERSAL + ":"
                        + credit.getActionId())
                .setType(LedgerCommandType.REFUND_REVERSAL)
                .setAccountId(credit.getTo())
                .setReason(reason)
                .build();
    }

    /** A refund's event: id {@code paymentId:STATUS:actionId}, amount the refund's. */
    static PaymentEvent event(Payment refund, LedgerCommand leg, PaymentStatus status, RejectionReason reason,
            String detail, long nowMs) {
        return PaymentEvent.newBuilder(PaymentRecords.event(refund, status, reason, detail, nowMs))
                .setEventId(refund.paymentId() + ":" + status + ":" + leg.getActionId())
                .setActionId(leg.getActionId())
                .build();
    }

    private static Notification notification(Payment refund, LedgerCommand leg, PaymentStatus status,
            NotificationRole role, RejectionReason reason, long nowMs) {
        Notification notification = PaymentRecords.notification(refund, status, role, reason, nowMs);
        return Notification.newBuilder(notification)
                .setNotificationId(notification.getNotificationId() + ":" + leg.getActionId())
                .setActionId(leg.getActionId())
                .build();
    }

    private static AuditRecord movement(Payment refund, LedgerCommand leg, AuditKind kind, long signedAmount,
            AccountState after, RejectionReason reason, long nowMs) {
        AuditRecord movement = PaymentRecords.movement(refund, kind, after.getAccountId(), signedAmount,
                after.getBalance(), after.getEntrySeq(), reason, nowMs);
        return AuditRecord.newBuilder(movement)
                .setAuditId(movement.getAuditId() + ":" + leg.getActionId())
                .setActionId(leg.getActionId())
                .build();
    }

    private static Payment checked(LedgerCommand leg, boolean addressedToItsParty) {
        Payment refund = PaymentLegRules.checkedPayment(leg, addressedToItsParty);
        Invariants.check(leg.getActionId() != null, "%s %s has no action id", leg.getType(), leg.getCommandId());
        Invariants.check(Money.isAccountId(refund.from()) && Money.isAccountId(refund.to()),
                "%s %s needs a payer and a payee", leg.getType(), leg.getCommandId());
        return refund;
    }
}
