package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Payment;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountStatus;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.Money;

/**
 * The saga's legs on one account: DEBIT the payer, CREDIT the payee, and REVERSAL (a credit back to the payer) when
 * the credit cannot be applied. Each leg either moves money and journals it with the next {@code entrySeq}, or moves
 * nothing and says why.
 */
final class PaymentLegRules {
    private PaymentLegRules() {
    }

    /** Debits the payer; then asks for the payee's credit, or completes a WITHDRAWAL. */
    static LedgerOutcome debit(AccountState account, LedgerCommand leg, long nowMs) {
        Payment payment = checkedPayment(leg, leg.getAccountId().equals(leg.getFrom()));
        Invariants.check(payment.debitsFirst(), "a %s has no debit leg (payment %s)", payment.type(),
                payment.paymentId());
        Rejection refusal = usability(account, leg.getAccountId(), payment.currency());
        long balanceAfter = 0;
        if (refusal == null) {
            try {
                balanceAfter = Math.subtractExact(account.getBalance(), payment.amountMinor());
                if (Math.subtractExact(balanceAfter, account.getHeld()) < -account.getOverdraftLimit()) {
                    refusal = overdraft(account, payment);
                }
            } catch (ArithmeticException e) {
                refusal = new Rejection(RejectionReason.AMOUNT_OVERFLOW,
                        "the debit would overflow the balance");
            }
        }
        if (refusal != null) {
            return LedgerOutcome.refused(leg, refusal, nowMs);
        }
        AccountState debited = move(account, balanceAfter, nowMs);
        Emissions.Builder emissions = Emissions.builder()
                .audit(PaymentRecords.movement(payment, AuditKind.DEBIT, account.getAccountId(),
                        -payment.amountMinor(), balanceAfter, debited.getEntrySeq(), null, nowMs));
        if (payment.creditsPayee()) {
            emissions.leg(PaymentRecords.leg(payment, LedgerCommandType.CREDIT, payment.to(), null));
        } else {
            emissions.event(PaymentRecords.event(payment, PaymentStatus.COMPLETED, null, null, nowMs))
                    .notification(PaymentRecords.notification(payment, PaymentStatus.COMPLETED,
                            NotificationRole.PAYER, null, nowMs));
        }
        return new LedgerOutcome(debited, emissions.build());
    }

    /** Credits the payee and completes the payment; if the payee cannot take it, reverses the debit (or rejects a TOPUP). */
    static LedgerOutcome credit(AccountState account, LedgerCommand leg, long nowMs) {
        Payment payment = checkedPayment(leg, leg.getAccountId().equals(leg.getTo()));
        Invariants.check(payment.creditsPayee(), "a %s has no credit leg (payment %s)", payment.type(),
                payment.paymentId());
        Rejection refusal = creditRefusal(account, leg.getAccountId(), payment);
        if (refusal != null) {
            // The payee cannot take it: the compensation reverses the debit, or rejects a TOPUP.
            return LedgerOutcome.refused(leg, refusal, nowMs);
        }
        AccountState credited = credited(account, payment, nowMs);
        return new LedgerOutcome(credited, completed(leg, payment, credited, nowMs));
    }

    /**
     * Why {@code account} cannot take {@code payment}'s credit now (gone, inactive, another currency, not a merchant
     * for a PAYMENT, or at its balance ceiling), or null when it can. A card top-up is checked with it twice: before
     * the card is charged, and when the approval comes.
     */
    static Rejection creditRefusal(AccountState account, String accountId, Payment payment) {
        Rejection refusal = usability(account, accountId, payment.currency());
        if (refusal == null && payment.type() == PaymentType.PAYMENT && account.getType() != AccountType.MERCHANT) {
            refusal = new Rejection(RejectionReason.INVALID_REQUEST,
                    "a PAYMENT needs a MERCHANT payee; " + account.getAccountId() + " is " + account.getType());
        }
        // A ceiling far below Long.MAX_VALUE, so that a later reversal onto this account cannot overflow.
        if (refusal == null && account.getBalance() > Money.MAX_BALANCE_MINOR - payment.amountMinor()) {
            refusal = new Rejection(RejectionReason.AMOUNT_OVERFLOW,
                    "the credit would take the balance over " + Money.MAX_BALANCE_MINOR + " minor units");
        }
        return refusal;
    }

    /** The payee's account with the payment credited; {@link #creditRefusal} must have found nothing against it. */
    static AccountState credited(AccountState account, Payment payment, long nowMs) {
        return move(account, Math.addExact(account.getBalance(), payment.amountMinor()), nowMs);
    }

    /** The journal entry, COMPLETED event and notifications of a payment whose payee was just credited. */
    static Emissions completed(LedgerCommand leg, Payment payment, AccountState credited, long nowMs) {
        long balanceAfter = credited.getBalance();
        Emissions.Builder emissions = Emissions.builder()
                .audit(PaymentRecords.movement(payment, AuditKind.CREDIT, credited.getAccountId(),
                        payment.amountMinor(), balanceAfter, credited.getEntrySeq(), null, nowMs))
                .event(captured(leg, PaymentRecords.event(payment, PaymentStatus.COMPLETED, null, null, nowMs)))
                .notification(PaymentRecords.notification(payment, PaymentStatus.COMPLETED, NotificationRole.PAYEE,
                        null, nowMs));
        if (payment.debitsFirst()) {
            emissions.notification(PaymentRecords.notification(payment, PaymentStatus.COMPLETED,
                    NotificationRole.PAYER, null, nowMs));
        }
        return emissions.build();
    }

    /**
     * Returns a debited amount to the payer. It applies whatever the account's status, because it is the payer's own
     * money coming back; refusing it would lose money.
     */
    static LedgerOutcome reversal(AccountState account, LedgerCommand leg, long nowMs) {
        Payment payment = checkedPayment(leg, leg.getAccountId().equals(leg.getFrom()));
        Invariants.check(account != null, "reversal of payment %s on missing account %s", payment.paymentId(),
                leg.getAccountId());
        Invariants.check(account.getCurrency().equals(payment.currency()),
                "reversal of payment %s in %s on a %s account", payment.paymentId(), payment.currency(),
                account.getCurrency());
        RejectionReason reason = leg.getReason() == null ? RejectionReason.INTERNAL_ERROR : leg.getReason();
        long balanceAfter = Math.addExact(account.getBalance(), payment.amountMinor());
        AccountState reversed = move(account, balanceAfter, nowMs);
        Emissions emissions = Emissions.builder()
                .audit(PaymentRecords.movement(payment, AuditKind.REVERSAL, account.getAccountId(),
                        payment.amountMinor(), balanceAfter, reversed.getEntrySeq(), reason, nowMs))
                .event(captured(leg, PaymentRecords.event(payment, PaymentStatus.REVERSED, reason,
                        "the credit to " + payment.to() + " failed; the debit was returned", nowMs)))
                .notification(PaymentRecords.notification(payment, PaymentStatus.REVERSED, NotificationRole.PAYER,
                        reason, nowMs))
                .build();
        return new LedgerOutcome(reversed, emissions);
    }

    /** The event of a leg that carries a capture: it names the capture and the amount captured. */
    private static PaymentEvent captured(LedgerCommand leg, PaymentEvent event) {
        return leg.getActionId() == null ? event : PaymentEvent.newBuilder(event).setActionId(leg.getActionId())
                .setCapturedAmount(leg.getAmount()).build();
    }

    /** Why an account cannot take part in a payment in this currency, or null when it can. */
    static Rejection usability(AccountState account, String accountId, String currency) {
        if (account == null) {
            return new Rejection(RejectionReason.ACCOUNT_NOT_FOUND, "account " + accountId + " does not exist");
        }
        if (account.getStatus() != AccountStatus.ACTIVE) {
            return new Rejection(RejectionReason.ACCOUNT_INACTIVE,
                    "account " + accountId + " is " + account.getStatus());
        }
        if (account.getClosing() != null) {
            return new Rejection(RejectionReason.ACCOUNT_INACTIVE, "account " + accountId + " is closing");
        }
        if (!account.getCurrency().equals(currency)) {
            return new Rejection(RejectionReason.CURRENCY_MISMATCH,
                    "account " + accountId + " holds " + account.getCurrency() + ", the payment is in " + currency);
        }
        return null;
    }

    /** INSUFFICIENT_FUNDS for an account without overdraft, LIMIT_EXCEEDED for one whose overdraft would be exceeded. */
    static Rejection overdraft(AccountState account, Payment payment) {
        String detail = "balance " + account.getBalance() + " cannot cover " + payment.amountMinor()
                + " with overdraft limit " + account.getOverdraftLimit();
        RejectionReason reason = account.getOverdraftLimit() == 0
                ? RejectionReason.INSUFFICIENT_FUNDS
                : RejectionReason.LIMIT_EXCEEDED;
        return new Rejection(reason, detail);
    }

    static AccountState move(AccountState account, long balanceAfter, long nowMs) {
        return AccountState.newBuilder(account)
                .setBalance(balanceAfter)
                .setEntrySeq(account.getEntrySeq() + 1)
                .setUpdatedAtMs(nowMs)
                .build();
    }

    /** The leg's payment, after checking that the leg is well-formed and addressed to the right party's account. */
    static Payment checkedPayment(LedgerCommand leg, boolean addressedToItsParty) {
        Invariants.check(addressedToItsParty, "%s leg %s is keyed by %s, which is not its party", leg.getType(),
                leg.getCommandId(), leg.getAccountId());
        Invariants.check(leg.getPaymentId() != null, "%s leg %s has no paymentId", leg.getType(), leg.getCommandId());
        Invariants.check(leg.getPaymentType() != null, "%s leg %s has no paymentType", leg.getType(),
                leg.getCommandId());
        Invariants.check(Money.isCurrency(leg.getCurrency()), "%s leg %s has currency %s", leg.getType(),
                leg.getCommandId(), leg.getCurrency());
        Invariants.check(Money.isValidAmount(leg.getAmount()), "%s leg %s has amount %d", leg.getType(),
                leg.getCommandId(), leg.getAmount());
        return Payment.of(leg);
    }
}
