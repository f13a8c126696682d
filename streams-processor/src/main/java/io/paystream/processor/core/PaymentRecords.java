package io.paystream.processor.core;

import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RejectionReason;

/**
 * Builds the records the pipeline emits about a payment, with deterministic ids so that a replay after an aborted
 * transaction produces byte-identical output and downstream sinks can upsert by id.
 */
public final class PaymentRecords {
    private PaymentRecords() {
    }

    /** A lifecycle event; id {@code paymentId:STATUS}. */
    public static PaymentEvent event(Payment payment, PaymentStatus status, RejectionReason reason, String detail,
            long occurredAtMs) {
        return PaymentEvent.newBuilder()
                .setEventId(payment.paymentId() + ":" + status)
                .setPaymentId(payment.paymentId())
                .setStatus(status)
                .setType(payment.type())
                .setFrom(payment.from())
                .setTo(payment.to())
                .setAmount(payment.amountMinor())
                .setCurrency(payment.currency())
                .setReference(payment.reference())
                .setReason(reason)
                .setDetail(detail)
                .setRequestedAtMs(payment.requestedAtMs())
                .setOccurredAtMs(occurredAtMs)
                .build();
    }

    /** A ledger leg of the payment on one account; id {@code paymentId:LEG}. */
    public static LedgerCommand leg(Payment payment, LedgerCommandType type, String accountId, RejectionReason reason) {
        return LedgerCommand.newBuilder()
                .setCommandId(payment.paymentId() + ":" + type)
                .setType(type)
                .setAccountId(accountId)
                .setPaymentId(payment.paymentId())
                .setPaymentType(payment.type())
                .setFrom(payment.from())
                .setTo(payment.to())
                .setAmount(payment.amountMinor())
                .setCurrency(payment.currency())
                .setReason(reason)
                .setRequestedAtMs(payment.requestedAtMs())
                .build();
    }

    /**
     * A balance movement in the journal; id {@code paymentId:KIND}. There is at most one movement of each kind per
     * payment, which is how checkers prove that no leg was applied twice.
     */
    public static AuditRecord movement(Payment payment, AuditKind kind, String accountId, long signedAmountMinor,
            long balanceAfter, long entrySeq, RejectionReason reason, long createdAtMs) {
        return AuditRecord.newBuilder()
                .setAuditId(payment.paymentId() + ":" + kind)
                .setKind(kind)
                .setAccountId(accountId)
                .setPaymentId(payment.paymentId())
                .setPaymentType(payment.type())
                .setAmount(signedAmountMinor)
                .setCurrency(payment.currency())
                .setBalanceAfter(balanceAfter)
                .setEntrySeq(entrySeq)
                .setReason(reason)
                .setCreatedAtMs(createdAtMs)
                .build();
    }

    /** A refusal in the journal, on the account that refused; id {@code paymentId:REJECTION:step}. No money moved. */
    public static AuditRecord rejection(Payment payment, String step, String accountId, RejectionReason reason,
            String detail, long createdAtMs) {
        return AuditRecord.newBuilder()
                .setAuditId(payment.paymentId() + ":" + AuditKind.REJECTION + ":" + step)
                .setKind(AuditKind.REJECTION)
                .setAccountId(accountId)
                .setPaymentId(payment.paymentId())
                .setPaymentType(payment.type())
                .setAmount(0)
                .setCurrency(payment.currency())
                .setReason(reason)
                .setDetail(detail)
                .setCreatedAtMs(createdAtMs)
                .build();
    }

    /**
     * An action on the payment that could not be carried out: an event with the action's id (a payment may see
     * several, so the id names the action) and the refusal in the journal, on {@code accountId}. The payment itself is
     * left as it was.
     */
    public static Emissions actionFailed(Payment payment, String actionId, PaymentStatus outcome, String step,
            String accountId, RejectionReason reason, String detail, long nowMs) {
        PaymentEvent failed = PaymentEvent.newBuilder(event(payment, outcome, reason, detail, nowMs))
                .setEventId(payment.paymentId() + ":" + outcome + ":" + actionId)
                .setActionId(actionId)
                .build();
        AuditRecord refusal = AuditRecord.newBuilder(rejection(payment, step, accountId, reason, detail, nowMs))
                .setAuditId(payment.paymentId() + ":" + AuditKind.REJECTION + ":" + actionId)
                .build();
        return Emissions.builder().event(failed).audit(refusal).build();
    }

    /** A journal entry about an account request or command; id {@code requestId:KIND}. No money moves. */
    public static AuditRecord accountEntry(String requestId, String accountId, String currency, AuditKind kind,
            RejectionReason reason, String detail, long createdAtMs) {
        return AuditRecord.newBuilder()
                .setAuditId(requestId + ":" + kind)
                .setKind(kind)
                .setAccountId(accountId)
                .setAmount(0)
                .setCurrency(currency)
                .setReason(reason)
                .setDetail(detail)
                .setCreatedAtMs(createdAtMs)
                .build();
    }

    /** A message to one party; id {@code paymentId:STATUS:ROLE}. */
    public static Notification notification(Payment payment, PaymentStatus status, NotificationRole role,
            RejectionReason reason, long createdAtMs) {
        boolean payer = role == NotificationRole.PAYER;
        return Notification.newBuilder()
                .setNotificationId(payment.paymentId() + ":" + status + ":" + role)
                .setAccountId(payer ? payment.from() : payment.to())
                .setRole(role)
                .setPaymentId(payment.paymentId())
                .setPaymentType(payment.type())
                .setStatus(status)
                .setAmount(payment.amountMinor())
                .setCurrency(payment.currency())
                .setCounterpartyId(payer ? payment.to() : payment.from())
                .setReason(reason)
                .setCreatedAtMs(createdAtMs)
                .build();
    }
}
