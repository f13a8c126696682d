package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Payment;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.validation.Money;

/**
 * What the ledger emits when it refuses a command ({@link Rejection}), whether a rule refused it or deciding threw. The
 * refused command's type is the step the payment was rejected at.
 * The account is never changed by a refusal; the compensation makes sure no payment is silently dropped.
 *
 * <ul>
 *   <li>DEBIT: nothing moved, so the payment is REJECTED, the refusal is journalled, and the payer is notified.</li>
 *   <li>CREDIT: the refusal is journalled. A payment whose first leg debited the payer sends the money back through a
 *       REVERSAL leg on the payer's partition; a TOPUP (nothing debited), or a payer that cannot even be addressed,
 *       ends REJECTED.</li>
 *   <li>CARD_CHARGE: no card was charged; the top-up is REJECTED, journalled, and the payee notified.</li>
 *   <li>CARD_RESULT: an answer that does not fit the charge asked for stays in the dead-letter topic.</li>
 *   <li>REVERSAL: cannot be compensated automatically. The command stays in the dead-letter topic for an operator and
 *       the payment stays in flight, which the conservation check and the in-flight metric report.</li>
 *   <li>REFUND: nothing moved; the refund ends REFUND_FAILED, and the refusal is journalled on the payee.</li>
 *   <li>REFUND_CREDIT: the refusal is journalled on the payer, and a REFUND_REVERSAL gives the payee its money
 *       back (the refund then ends REFUND_FAILED).</li>
 *   <li>REFUND_REVERSAL: like a REVERSAL, stays in the dead-letter topic for an operator.</li>
 *   <li>HOLD of an atomic batch's payment: as a refused hold, and a vote against the batch to its coordinator.</li>
 *   <li>PREPARE: a vote against the batch (its hold is voided with the rest). A VOTE that cannot be counted stays in
 *       the dead-letter topic, and its batch is rejected at its deadline.</li>
 *   <li>An account command: the refusal is journalled on the account.</li>
 * </ul>
 */
public final class Compensations {
    private Compensations() {
    }

    /** The emissions for {@code command}, refused as {@code rejection} at record time {@code nowMs}. */
    public static Emissions of(LedgerCommand command, Rejection rejection, long nowMs) {
        if (command.getAccountId() == null) {
            return Emissions.none(); // nobody to journal it on
        }
        return switch (command.getType()) {
            // A hold refused is a payment refused before any money moved, as a refused debit is.
            case DEBIT, CREDIT, REVERSAL, CARD_CHARGE -> command.getPaymentId() == null ? Emissions.none()
                    : ofLeg(Payment.of(command), command.getType(), command.getAccountId(), command.getActionId(),
                            rejection, nowMs);
            // A payment of an atomic batch whose hold is refused also votes against its batch.
            case HOLD -> command.getPaymentId() == null ? Emissions.none()
                    : AtomicBatchRules.isAtomic(command)
                            ? Emissions.builder().addAll(ofLeg(Payment.of(command), command.getType(),
                                    command.getAccountId(), null, rejection, nowMs))
                                    .leg(AtomicBatchRules.vote(command, false, rejection)).build()
                            : ofLeg(Payment.of(command), command.getType(), command.getAccountId(),
                                    command.getActionId(), rejection, nowMs);
            // The payee's task could not answer: a vote against, so that the batch is rejected and its holds voided.
            case PREPARE -> command.getPaymentId() == null || !AtomicBatchRules.isAtomic(command) ? Emissions.none()
                    : Emissions.builder().leg(AtomicBatchRules.vote(command, true, rejection)).build();
            // A vote the coordinator cannot count stays in the dead-letter topic; the batch times out, rejected.
            case VOTE -> Emissions.none();
            // Its legs are applied, and compensated, one by one; the record itself only carries them.
            case LEGS -> Emissions.none();
            case VOID, CAPTURE -> command.getPaymentId() == null || command.getActionId() == null ? Emissions.none()
                    : HoldRules.actionFailed(command, command.getType() == LedgerCommandType.VOID
                            ? PaymentStatus.VOID_FAILED : PaymentStatus.CAPTURE_FAILED, rejection.reason(),
                            rejection.detail(), nowMs).emissions();
            case REFUND -> command.getPaymentId() == null || command.getActionId() == null ? Emissions.none()
                    : RefundRules.failed(command, rejection, nowMs);
            case REFUND_CREDIT -> command.getPaymentId() == null || command.getActionId() == null
                    || !Money.isAccountId(command.getTo()) ? Emissions.none()
                    : RefundRules.payerRefused(command, rejection, nowMs);
            case REFUND_REVERSAL -> Emissions.none();
            // An answer that does not fit the charge asked for stays in the dead-letter topic: the top-up it names,
            // if any, waits for the right answer.
            case CARD_RESULT -> Emissions.none();
            // A probe or an acknowledgement that cannot be applied stays in the dead-letter topic: the account stays
            // closing (refusing debits and credits, like a frozen one) until an operator looks.
            // OPEN_QUOTA is never refused by the ledger: the quota task applies it.
            case CLOSE_PROBE, CLOSE_ACK, TICK, OPEN_QUOTA -> Emissions.none();
            case OPEN, FREEZE, UNFREEZE, CLOSE, SET_LIMIT, ADD_MONITOR, REMOVE_MONITOR -> Emissions.builder()
                    .audit(AccountCommandRules.accountAudit(command, command.getCurrency(), AuditKind.REJECTION,
                            rejection.reason(), rejection.detail(), nowMs))
                    .build();
        };
    }

    private static Emissions ofLeg(Payment payment, LedgerCommandType leg, String accountId, String actionId,
            Rejection rejection, long nowMs) {
        if (leg == LedgerCommandType.REVERSAL) {
            return Emissions.none();
        }
        Emissions.Builder emissions = Emissions.builder().audit(PaymentRecords.rejection(payment,
                leg.name(), accountId, rejection.reason(), rejection.detail(), nowMs));
        if (leg == LedgerCommandType.CREDIT && payment.debitsFirst() && Money.isAccountId(payment.from())) {
            // A captured payment's reversal keeps the capture's action id, so its REVERSED event names the capture.
            return emissions.leg(LedgerCommand.newBuilder(PaymentRecords.leg(payment, LedgerCommandType.REVERSAL,
                    payment.from(), rejection.reason())).setActionId(actionId).build()).build();
        }
        // The party whose leg was refused hears of it: the payer of a refused debit or hold, the payee of a TOPUP.
        NotificationRole role = leg == LedgerCommandType.CREDIT || leg == LedgerCommandType.CARD_CHARGE
                ? NotificationRole.PAYEE : NotificationRole.PAYER;
        return emissions.event(PaymentRecords.event(payment, PaymentStatus.REJECTED, rejection.reason(),
                rejection.detail(), nowMs))
                .notification(PaymentRecords.notification(payment, PaymentStatus.REJECTED, role, rejection.reason(),
                        nowMs))
                .build();
    }
}
