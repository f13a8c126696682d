package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Payment;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.HoldState;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RejectionReason;

/**
 * Authorizations on the payer's account: a HOLD reserves money (held grows, available shrinks, the balance stays), and
 * the hold ends exactly once: captured, voided or expired. A hold lives in the payer's task, next to the
 * account it reserves on, so one task decides every change to it. Expiry is by stream time: due holds are released
 * before any command on their account is applied, and when a TICK arrives, so a hold past its time is never
 * captured, voided, or counted against a debit.
 */
final class HoldRules {
    private HoldRules() {
    }

    /** Places the hold if the payer's available money covers it; otherwise the payment is REJECTED, as a debit is. */
    static LedgerOutcome hold(AccountState account, HoldState existing, LedgerCommand leg, long nowMs) {
        Payment payment = PaymentLegRules.checkedPayment(leg, leg.getAccountId().equals(leg.getFrom()));
        Invariants.check(leg.getHoldExpiresAtMs() != null, "HOLD %s has no expiry", leg.getCommandId());
        if (existing != null) {
            return LedgerOutcome.unchanged();
        }
        Rejection refusal = PaymentLegRules.usability(account, leg.getAccountId(), payment.currency());
        if (refusal == null && Math.subtractExact(account.getBalance() - account.getHeld(), payment.amountMinor())
                < -account.getOverdraftLimit()) {
            refusal = PaymentLegRules.overdraft(account, payment);
        }
        if (refusal != null) {
            return LedgerOutcome.refused(leg, refusal, nowMs);
        }
        HoldState hold = HoldState.newBuilder()
                .setPaymentId(payment.paymentId())
                .setAccountId(account.getAccountId())
                .setPaymentType(payment.type())
                .setTo(payment.to())
                .setAmount(payment.amountMinor())
                .setCurrency(payment.currency())
                .setExpiresAtMs(leg.getHoldExpiresAtMs())
                .setRequestedAtMs(payment.requestedAtMs())
                .setBatchId(AtomicBatchRules.isAtomic(leg) ? leg.getBatchId() : null)
                .build();
        AccountState held = AccountState.newBuilder(account)
                .setHeld(account.getHeld() + payment.amountMinor())
                .setUpdatedAtMs(nowMs)
                .build();
        PaymentEvent authorized = PaymentEvent.newBuilder(PaymentRecords.event(payment, PaymentStatus.AUTHORIZED, null,
                null, nowMs)).setHoldExpiresAtMs(expiryOf(hold)).build();
        Emissions.Builder emissions = Emissions.builder()
                .audit(holdEntry(payment, AuditKind.HOLD, account.getAccountId(), payment.amountMinor(), nowMs))
                .event(authorized);
        if (AtomicBatchRules.isAtomic(leg)) {
            // A payment of an atomic batch: the payee's task is asked next, and nobody is told of a hold that the
            // batch's decision ends in a moment.
            emissions.leg(AtomicBatchRules.inBatchOf(LedgerCommand.newBuilder(PaymentRecords.leg(payment,
                    LedgerCommandType.PREPARE, payment.to(), null)), leg).build());
        } else {
            emissions.notification(PaymentRecords.notification(payment, PaymentStatus.AUTHORIZED,
                    NotificationRole.PAYER, null, nowMs));
        }
        return new LedgerOutcome(held, emissions.build(),
                new LedgerOutcome.HoldChange(payment.paymentId(), null, hold));
    }

    /**
     * Releases the whole hold: VOIDED. A payment without an open hold answers VOID_FAILED(NOT_AUTHORIZED); a hold past
     * its time expires first, and the void fails.
     */
    static LedgerOutcome voidHold(AccountState account, HoldState hold, LedgerCommand leg, long nowMs) {
        if (AtomicBatchRules.isAtomic(leg)) {
            // The decision of a rejected atomic batch: the payment ends REJECTED. Sent once per hold; a hold that is
            // not there (or not this batch's) is left alone.
            return hold == null || !leg.getBatchId().equals(hold.getBatchId()) ? LedgerOutcome.unchanged()
                    : release(account, hold, PaymentStatus.REJECTED, null, leg.getReason(), leg.getDetail(), nowMs);
        }
        LedgerOutcome closed = unlessOpen(account, hold, leg, PaymentStatus.VOID_FAILED, nowMs);
        return closed != null ? closed
                : release(account, hold, PaymentStatus.VOIDED, leg.getActionId(), null, null, nowMs);
    }

    /**
     * Captures the hold: the captured amount (the whole hold when the leg names none) is debited from the payer, the
     * rest of the hold is released, and a CREDIT leg takes the money to the payee, as an automatic payment's would; a
     * payee that cannot take it sends it back with a REVERSAL. Only one capture per authorization: once captured,
     * there is no hold left to capture.
     */
    static LedgerOutcome capture(AccountState account, HoldState hold, LedgerCommand leg, long nowMs) {
        LedgerOutcome closed = unlessOpen(account, hold, leg, PaymentStatus.CAPTURE_FAILED, nowMs);
        if (closed != null) {
            return closed;
        }
        if (AtomicBatchRules.isAtomic(leg)) {
            Invariants.check(leg.getBatchId().equals(hold.getBatchId()), "CAPTURE %s of batch %s on a hold of batch %s",
                    leg.getCommandId(), leg.getBatchId(), hold.getBatchId());
        }
        long captured = leg.getAmount() == 0 ? hold.getAmount() : leg.getAmount();
        if (captured > hold.getAmount()) {
            return actionFailed(leg, PaymentStatus.CAPTURE_FAILED, RejectionReason.EXCEEDS_AUTHORIZED,
                    "the capture of " + captured + " exceeds the authorized " + hold.getAmount(), nowMs);
        }
        // A batch's capture is its decision, made on holds that every payee agreed to: it is carried out whatever
        // became of the payer since (the money was reserved for it).
        Rejection inactive = hold.getBatchId() != null ? null
                : PaymentLegRules.usability(account, account.getAccountId(), hold.getCurrency());
        if (inactive != null) {
            return actionFailed(leg, PaymentStatus.CAPTURE_FAILED, inactive.reason(), inactive.detail(), nowMs);
        }
        Payment authorized = paymentOf(hold);
        Payment payment = new Payment(authorized.paymentId(), authorized.type(), authorized.from(), authorized.to(),
                captured, authorized.currency(), null, authorized.requestedAtMs());
        long balanceAfter = Math.subtractExact(account.getBalance(), captured);
        AccountState debited = AccountState.newBuilder(account)
                .setHeld(account.getHeld() - hold.getAmount())
                .setBalance(balanceAfter)
                .setEntrySeq(account.getEntrySeq() + 1)
                .setUpdatedAtMs(nowMs)
                .build();
        LedgerCommand.Builder credit = LedgerCommand.newBuilder(PaymentRecords.leg(payment,
                        LedgerCommandType.CREDIT, payment.to(), null));
        if (AtomicBatchRules.isAtomic(leg)) {
            AtomicBatchRules.inBatchOf(credit, leg);
        } else {
            credit.setActionId(leg.getActionId());
        }
        Emissions emissions = Emissions.builder()
                .audit(holdEntry(authorized, AuditKind.HOLD_RELEASED, account.getAccountId(), -hold.getAmount(),
                        nowMs))
                .audit(PaymentRecords.movement(payment, AuditKind.CAPTURE, account.getAccountId(), -captured,
                        balanceAfter, debited.getEntrySeq(), null, nowMs))
                .leg(credit.build())
                .build();
        return new LedgerOutcome(debited, emissions, new LedgerOutcome.HoldChange(hold.getPaymentId(), hold, null));
    }

    /**
     * The outcome of an action ({@code failed} names its failure) on a hold that is not open, or null when it is: no
     * hold is NOT_AUTHORIZED; a hold past its time expires, and the action fails after it.
     */
    private static LedgerOutcome unlessOpen(AccountState account, HoldState hold, LedgerCommand leg,
            PaymentStatus failed, long nowMs) {
        Invariants.check(leg.getActionId() != null, "%s %s has no action id", leg.getType(), leg.getCommandId());
        if (hold == null) {
            return actionFailed(leg, failed, RejectionReason.NOT_AUTHORIZED,
                    "payment " + leg.getPaymentId() + " holds no open authorization", nowMs);
        }
        if (hold.getBatchId() != null && !AtomicBatchRules.isAtomic(leg)) {
            return actionFailed(leg, failed, RejectionReason.NOT_PERMITTED, "payment " + leg.getPaymentId()
                    + " is a payment of atomic batch " + hold.getBatchId()
                    + ": only the batch's decision captures or voids it", nowMs);
        }
        Invariants.check(account != null && hold.getAccountId().equals(account.getAccountId()),
                "hold of payment %s is on %s, not on %s", hold.getPaymentId(), hold.getAccountId(),
                leg.getAccountId());
        if (hold.getExpiresAtMs() > nowMs) {
            return null;
        }
        LedgerOutcome expired = expire(account, hold, nowMs);
        LedgerOutcome refused = actionFailed(leg, failed, RejectionReason.NOT_AUTHORIZED,
                "the authorization of payment " + hold.getPaymentId() + " expired first", nowMs);
        return new LedgerOutcome(expired.newState(), Emissions.builder().addAll(expired.emissions())
                .addAll(refused.emissions()).build(), expired.hold());
    }

    /** Releases a hold whose time has come, in stream time: EXPIRED. */
    static LedgerOutcome expire(AccountState account, HoldState hold, long nowMs) {
        Invariants.check(hold.getExpiresAtMs() <= nowMs, "hold of payment %s expires at %d, not by %d",
                hold.getPaymentId(), hold.getExpiresAtMs(), nowMs);
        return release(account, hold, PaymentStatus.EXPIRED, null, null, null, nowMs);
    }

    private static LedgerOutcome release(AccountState account, HoldState hold, PaymentStatus ending, String actionId,
            RejectionReason reason, String detail, long nowMs) {
        Invariants.check(account.getHeld() >= hold.getAmount(), "account %s holds %d, less than the hold of %d",
                account.getAccountId(), account.getHeld(), hold.getAmount());
        Payment payment = paymentOf(hold);
        AccountState released = AccountState.newBuilder(account)
                .setHeld(account.getHeld() - hold.getAmount())
                .setUpdatedAtMs(nowMs)
                .build();
        PaymentEvent event = PaymentEvent.newBuilder(PaymentRecords.event(payment, ending, reason, detail, nowMs))
                .setActionId(actionId)
                .setHoldExpiresAtMs(expiryOf(hold))
                .build();
        Emissions emissions = Emissions.builder()
                .audit(holdEntry(payment, AuditKind.HOLD_RELEASED, account.getAccountId(), -hold.getAmount(), nowMs))
                .event(event)
                .notification(PaymentRecords.notification(payment, ending, NotificationRole.PAYER, reason, nowMs))
                .build();
        return new LedgerOutcome(released, emissions, new LedgerOutcome.HoldChange(hold.getPaymentId(), hold, null));
    }

    /**
     * An action that could not be carried out: an event with the action's id (a payment may see several), and the
     * refusal in the journal. The payment and its hold are left as they were.
     */
    static LedgerOutcome actionFailed(LedgerCommand leg, PaymentStatus outcome, RejectionReason reason, String detail,
            long nowMs) {
        return new LedgerOutcome(null, PaymentRecords.actionFailed(Payment.of(leg), leg.getActionId(), outcome,
                leg.getType().name(), leg.getAccountId(), reason, detail, nowMs));
    }

    /** When the hold expires, for its events: none for a hold of an atomic batch, which only its decision ends. */
    private static Long expiryOf(HoldState hold) {
        return hold.getBatchId() != null ? null : hold.getExpiresAtMs();
    }

    /** The payment a hold reserves for. */
    static Payment paymentOf(HoldState hold) {
        return new Payment(hold.getPaymentId(), hold.getPaymentType(), hold.getAccountId(), hold.getTo(),
                hold.getAmount(), hold.getCurrency(), null, hold.getRequestedAtMs());
    }

    /** A hold placed or released in the journal: it changes held, not the balance, so it has no entrySeq. */
    private static AuditRecord holdEntry(Payment payment, AuditKind kind, String accountId, long heldDelta,
            long nowMs) {
        return AuditRecord.newBuilder()
                .setAuditId(payment.paymentId() + ":" + kind)
                .setKind(kind)
                .setAccountId(accountId)
                .setPaymentId(payment.paymentId())
                .setPaymentType(payment.type())
                .setAmount(heldDelta)
                .setCurrency(payment.currency())
                .setCreatedAtMs(nowMs)
                .build();
    }
}
