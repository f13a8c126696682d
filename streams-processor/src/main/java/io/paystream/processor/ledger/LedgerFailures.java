package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Failures;
import io.paystream.processor.core.Payment;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.Money;

/**
 * What the ledger emits when deciding a command threw, so that no payment is silently dropped. The account state is
 * left untouched, because the rules write nothing before they return.
 *
 * <ul>
 *   <li>A failed DEBIT moved nothing: the payment is REJECTED(INTERNAL_ERROR).</li>
 *   <li>A failed CREDIT follows a debit that did happen: the money goes back to the payer through a REVERSAL leg
 *       (a TOPUP, which debited nothing, is rejected).</li>
 *   <li>A failed REVERSAL cannot be compensated automatically: it stays in the dead-letter topic for an operator, and
 *       the payment stays in flight, which the conservation check reports.</li>
 *   <li>A failed account command is journalled as a rejection.</li>
 * </ul>
 */
public final class LedgerFailures {
    private LedgerFailures() {
    }

    /** The compensation for a command whose evaluation threw {@code failure}. */
    public static Emissions compensate(LedgerCommand command, RuntimeException failure, long nowMs) {
        String detail = Failures.describe(failure);
        if (command.getPaymentId() == null) {
            return command.getAccountId() == null || isPaymentLeg(command) ? Emissions.none()
                    : Emissions.builder().audit(AccountCommandRules.accountAudit(command, command.getCurrency(),
                            AuditKind.REJECTION, RejectionReason.INTERNAL_ERROR, detail, nowMs)).build();
        }
        Payment payment = Payment.of(command);
        return switch (command.getType()) {
            case DEBIT -> Emissions.builder()
                    .event(PaymentRecords.event(payment, PaymentStatus.REJECTED, RejectionReason.INTERNAL_ERROR,
                            detail, nowMs))
                    .audit(PaymentRecords.rejection(payment, "DEBIT", command.getAccountId(),
                            RejectionReason.INTERNAL_ERROR, detail, nowMs))
                    .build();
            case CREDIT -> payment.debitsFirst() && !Money.isAccountId(payment.from())
                    ? rejectUnroutable(payment, command, detail, nowMs)
                    : PaymentLegRules.refuseCredit(payment, command.getAccountId(),
                            new PaymentLegRules.Refusal(RejectionReason.INTERNAL_ERROR, detail), nowMs).emissions();
            case REVERSAL -> Emissions.none();
            case OPEN, FREEZE, UNFREEZE, CLOSE, SET_LIMIT -> Emissions.builder()
                    .audit(AccountCommandRules.accountAudit(command, command.getCurrency(), AuditKind.REJECTION,
                            RejectionReason.INTERNAL_ERROR, detail, nowMs))
                    .build();
        };
    }

    /** A credit whose payer cannot even be addressed: nothing can be returned, so the payment ends REJECTED. */
    private static Emissions rejectUnroutable(Payment payment, LedgerCommand command, String detail, long nowMs) {
        return Emissions.builder()
                .event(PaymentRecords.event(payment, PaymentStatus.REJECTED, RejectionReason.INTERNAL_ERROR, detail,
                        nowMs))
                .audit(PaymentRecords.rejection(payment, "CREDIT", command.getAccountId(),
                        RejectionReason.INTERNAL_ERROR, detail, nowMs))
                .build();
    }

    private static boolean isPaymentLeg(LedgerCommand command) {
        return switch (command.getType()) {
            case DEBIT, CREDIT, REVERSAL -> true;
            default -> false;
        };
    }
}
