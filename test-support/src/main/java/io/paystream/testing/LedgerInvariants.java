package io.paystream.testing;

import io.paystream.schemas.PaymentStatuses;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountStatus;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks the ledger invariants (docs/architecture.md, "Invariants") against everything a quiet pipeline produced: conservation per currency,
 * no overdraft, one terminal status per payment, no leg applied twice, no money in a closed account, a journal that
 * rebuilds every balance with gapless entry sequences, holds that rebuild every held amount and end at most once, and
 * refunds that end once each and never give back more than a payment completed with, and card charges that are
 * credited or owed back, never both, and confirmed refunded at most once; and every account state the journal
 * records for balances at a point in time agrees with its movements and holds ({@link BalanceTimeline}). Shared by the topology tests,
 * the integration tests and the chaos checker.
 */
public final class LedgerInvariants {
    /** The kinds that move a balance and carry an entrySeq. */
    static final Set<AuditKind> MOVEMENTS = Set.of(AuditKind.DEBIT, AuditKind.CREDIT, AuditKind.REVERSAL,
            AuditKind.CAPTURE, AuditKind.REFUND, AuditKind.REFUND_CREDIT, AuditKind.REFUND_REVERSAL);
    private static final Set<AuditKind> REFUND_MOVEMENTS = Set.of(AuditKind.REFUND, AuditKind.REFUND_CREDIT,
            AuditKind.REFUND_REVERSAL);

    private LedgerInvariants() {
    }

    /**
     * Every violation found, as readable sentences; empty when the ledger is sound.
     *
     * @param events every payment event, in topic order
     * @param audits every journal entry, each account's in topic order
     * @param accounts every account's current state
     * @param storedStatus the status the payments store (or the query API) holds for a payment id, or null
     */
    public static List<String> violations(List<PaymentEvent> events, List<AuditRecord> audits,
            List<AccountState> accounts, Function<String, PaymentStatus> storedStatus) {
        List<String> violations = new ArrayList<>();
        checkJournal(audits, accounts, violations);
        checkHolds(audits, accounts, violations);
        violations.addAll(BalanceTimeline.of(audits).violations(accounts));
        Set<String> owed = checkChargeRefunds(audits, violations);
        checkTerminalStates(events, owed, storedStatus, violations);
        checkConservation(events, audits, accounts, violations);
        checkRefunds(events, audits, violations);
        for (AccountState account : accounts) {
            if (account.getStatus() == AccountStatus.CLOSED && account.getBalance() != 0) {
                violations.add("stranded: " + account.getAccountId() + " is CLOSED with balance "
                        + account.getBalance());
            }
            if (account.getBalance() < -account.getOverdraftLimit()) {
                violations.add("overdraft: " + account.getAccountId() + " has " + account.getBalance()
                        + " below limit " + account.getOverdraftLimit());
            }
        }
        return violations;
    }

    private static void checkJournal(List<AuditRecord> audits, List<AccountState> accounts, List<String> violations) {
        Map<String, Long> rebuilt = new HashMap<>();
        Map<String, Long> lastSeq = new HashMap<>();
        Set<String> movementIds = new HashSet<>();
        for (AuditRecord audit : audits) {
            if (!MOVEMENTS.contains(audit.getKind())) {
                continue;
            }
            if (!movementIds.add(audit.getAuditId())) {
                violations.add("leg applied twice: " + audit.getAuditId());
            }
            long balance = rebuilt.merge(audit.getAccountId(), audit.getAmount(), Math::addExact);
            long seq = lastSeq.merge(audit.getAccountId(), 1L, Long::sum);
            if (audit.getEntrySeq() == null || audit.getEntrySeq() != seq) {
                violations.add("entrySeq gap on " + audit.getAccountId() + ": expected " + seq + ", got "
                        + audit.getEntrySeq());
            }
            if (audit.getBalanceAfter() == null || audit.getBalanceAfter() != balance) {
                violations.add("journal balance on " + audit.getAccountId() + " after " + audit.getAuditId()
                        + ": journal says " + audit.getBalanceAfter() + ", replay gives " + balance);
            }
        }
        for (AccountState account : accounts) {
            long replayed = rebuilt.getOrDefault(account.getAccountId(), 0L);
            if (replayed != account.getBalance()) {
                violations.add("replaying the journal gives " + replayed + " for " + account.getAccountId()
                        + ", the store holds " + account.getBalance());
            }
            if (lastSeq.getOrDefault(account.getAccountId(), 0L) != account.getEntrySeq()) {
                violations.add("entrySeq of " + account.getAccountId() + " is " + account.getEntrySeq()
                        + " but the journal has " + lastSeq.getOrDefault(account.getAccountId(), 0L) + " movements");
            }
        }
    }

    /**
     * Holds change {@code held}, not the balance: replaying HOLD (+) and HOLD_RELEASED (-) entries gives each account's
     * held, which is never negative and never leaves less than the overdraft limit available; every hold is released
     * at most once, and only after it was placed.
     */
    private static void checkHolds(List<AuditRecord> audits, List<AccountState> accounts, List<String> violations) {
        Map<String, Long> held = new HashMap<>();
        Set<String> placed = new HashSet<>();
        Set<String> released = new HashSet<>();
        for (AuditRecord audit : audits) {
            if (audit.getKind() == AuditKind.HOLD) {
                if (!placed.add(audit.getPaymentId())) {
                    violations.add("hold of payment " + audit.getPaymentId() + " placed twice");
                }
                held.merge(audit.getAccountId(), audit.getAmount(), Math::addExact);
            } else if (audit.getKind() == AuditKind.HOLD_RELEASED) {
                if (!placed.contains(audit.getPaymentId()) || !released.add(audit.getPaymentId())) {
                    violations.add("hold of payment " + audit.getPaymentId() + " released without being open");
                }
                held.merge(audit.getAccountId(), audit.getAmount(), Math::addExact);
            }
        }
        for (AccountState account : accounts) {
            long replayed = held.getOrDefault(account.getAccountId(), 0L);
            if (replayed != account.getHeld()) {
                violations.add("replaying the holds gives held " + replayed + " for " + account.getAccountId()
                        + ", the store holds " + account.getHeld());
            }
            if (account.getHeld() < 0) {
                violations.add("negative held: " + account.getAccountId() + " holds " + account.getHeld());
            }
            if (account.getBalance() - account.getHeld() < -account.getOverdraftLimit()) {
                violations.add("available below the limit: " + account.getAccountId() + " has balance "
                        + account.getBalance() + " and holds " + account.getHeld() + " with limit "
                        + account.getOverdraftLimit());
            }
        }
    }

    /**
     * Card charges the payee could not take: each is owed back (CHARGE_REFUND_OWED) at most once, confirmed refunded
     * (CHARGE_REFUNDED) at most once and only after it was owed, for the same amount, and never also credited.
     *
     * @return the payments whose charge is owed and not yet confirmed refunded: they have no terminal status yet
     */
    private static Set<String> checkChargeRefunds(List<AuditRecord> audits, List<String> violations) {
        Map<String, Long> owed = new HashMap<>();
        Set<String> refunded = new HashSet<>();
        Set<String> credited = new HashSet<>();
        for (AuditRecord audit : audits) {
            String paymentId = audit.getPaymentId();
            switch (audit.getKind()) {
                case CREDIT -> credited.add(paymentId);
                case CHARGE_REFUND_OWED -> {
                    if (owed.put(paymentId, audit.getAmount()) != null || audit.getAmount() <= 0) {
                        violations.add("charge of payment " + paymentId + " owed twice, or owed " + audit.getAmount());
                    }
                }
                case CHARGE_REFUNDED -> {
                    if (!owed.containsKey(paymentId) || owed.get(paymentId) != -audit.getAmount()
                            || !refunded.add(paymentId)) {
                        violations.add("charge of payment " + paymentId + " refunded " + audit.getAmount()
                                + " without being owed that once");
                    }
                }
                default -> {
                }
            }
        }
        owed.keySet().stream().filter(credited::contains).forEach(paymentId -> violations.add(
                "charge of payment " + paymentId + " was both credited and owed back"));
        Set<String> outstanding = new HashSet<>(owed.keySet());
        outstanding.removeAll(refunded);
        return outstanding;
    }

    private static void checkTerminalStates(List<PaymentEvent> events, Set<String> chargeRefundsOwed,
            Function<String, PaymentStatus> storedStatus, List<String> violations) {
        Map<String, List<PaymentStatus>> byPayment = new LinkedHashMap<>();
        for (PaymentEvent event : events) {
            byPayment.computeIfAbsent(event.getPaymentId(), id -> new ArrayList<>()).add(event.getStatus());
        }
        byPayment.forEach((paymentId, statuses) -> {
            List<PaymentStatus> terminal = statuses.stream().filter(PaymentStatuses::isTerminal).toList();
            if (terminal.isEmpty() && statuses.contains(PaymentStatus.AUTHORIZED)
                    && storedStatus.apply(paymentId) == PaymentStatus.AUTHORIZED) {
                return; // an open authorization: it ends when it is captured, voided or expires
            }
            if (terminal.isEmpty() && !statuses.contains(PaymentStatus.ACCEPTED)) {
                return; // only failed actions on a payment this journal does not hold
            }
            if (terminal.isEmpty() && chargeRefundsOwed.contains(paymentId)) {
                return; // a card top-up ends once the acquirer confirms the refund of its charge
            }
            if (terminal.size() != 1) {
                violations.add("payment " + paymentId + " has terminal statuses " + terminal);
                return;
            }
            if (statuses.stream().filter(s -> s == PaymentStatus.ACCEPTED).count() > 1) {
                violations.add("payment " + paymentId + " was accepted more than once");
            }
            PaymentStatus stored = storedStatus.apply(paymentId);
            if (stored != terminal.get(0)) {
                violations.add("payment " + paymentId + " ended " + terminal.get(0) + " but the store says " + stored);
            }
        });
    }

    /**
     * Refunds: what a payment's refunds took from the payee and did not give back never exceeds what the payee was
     * credited with; the SUCCEEDED refunds' events say the same; and every refund ends at most once, SUCCEEDED exactly
     * when its payer was credited.
     */
    private static void checkRefunds(List<PaymentEvent> events, List<AuditRecord> audits, List<String> violations) {
        Map<String, Long> credited = new HashMap<>();
        Map<String, Long> refundedNet = new HashMap<>();
        Set<String> creditedRefunds = new HashSet<>();
        for (AuditRecord audit : audits) {
            switch (audit.getKind()) {
                case CREDIT -> credited.merge(audit.getPaymentId(), audit.getAmount(), Math::addExact);
                case REFUND -> refundedNet.merge(audit.getPaymentId(), -audit.getAmount(), Math::addExact);
                case REFUND_REVERSAL -> refundedNet.merge(audit.getPaymentId(), -audit.getAmount(), Math::addExact);
                case REFUND_CREDIT -> creditedRefunds.add(audit.getPaymentId() + " refund " + audit.getActionId());
                default -> {
                }
            }
        }
        refundedNet.forEach((paymentId, refunded) -> {
            long completed = credited.getOrDefault(paymentId, 0L);
            if (refunded > completed || refunded < 0) {
                violations.add("payment " + paymentId + " refunded " + refunded + " of the " + completed
                        + " credited to its payee");
            }
        });
        Map<String, Long> completedAmounts = new HashMap<>();
        Map<String, Long> succeeded = new HashMap<>();
        Map<String, Integer> endings = new HashMap<>();
        for (PaymentEvent event : events) {
            if (event.getStatus() == PaymentStatus.COMPLETED) {
                completedAmounts.put(event.getPaymentId(),
                        event.getCapturedAmount() != null ? event.getCapturedAmount() : event.getAmount());
            }
            if (event.getStatus() == PaymentStatus.REFUND_SUCCEEDED || event.getStatus() == PaymentStatus.REFUND_FAILED) {
                String refund = event.getPaymentId() + " refund " + event.getActionId();
                endings.merge(refund, 1, Integer::sum);
                boolean wasCredited = creditedRefunds.contains(refund);
                if (wasCredited != (event.getStatus() == PaymentStatus.REFUND_SUCCEEDED)) {
                    violations.add("payment " + refund + " ended " + event.getStatus() + " but its payer was "
                            + (wasCredited ? "" : "not ") + "credited");
                }
                if (event.getStatus() == PaymentStatus.REFUND_SUCCEEDED) {
                    succeeded.merge(event.getPaymentId(), event.getAmount(), Math::addExact);
                }
            }
        }
        endings.forEach((refund, count) -> {
            if (count > 1) {
                violations.add("payment " + refund + " ended " + count + " times");
            }
        });
        succeeded.forEach((paymentId, refunded) -> {
            Long completed = completedAmounts.get(paymentId);
            if (completed == null || refunded > completed) {
                violations.add("payment " + paymentId + " has succeeded refunds of " + refunded
                        + " but completed with " + completed);
            }
        });
    }

    private static void checkConservation(List<PaymentEvent> events, List<AuditRecord> audits,
            List<AccountState> accounts, List<String> violations) {
        Map<String, Long> external = new HashMap<>();
        for (PaymentEvent event : events) {
            if (event.getStatus() == PaymentStatus.COMPLETED && event.getType() == PaymentType.TOPUP) {
                external.merge(event.getCurrency(), event.getAmount(), Math::addExact);
            } else if (event.getStatus() == PaymentStatus.COMPLETED && event.getType() == PaymentType.WITHDRAWAL) {
                external.merge(event.getCurrency(), -event.getAmount(), Math::addExact);
            }
        }
        Map<String, Long> held = new HashMap<>();
        for (AccountState account : accounts) {
            held.merge(account.getCurrency(), account.getBalance(), Math::addExact);
        }
        Map<String, Set<AuditKind>> legsByPayment = new HashMap<>();
        for (AuditRecord audit : audits) {
            if (MOVEMENTS.contains(audit.getKind())) {
                legsByPayment.computeIfAbsent(audit.getPaymentId(), id -> new HashSet<>()).add(audit.getKind());
            }
        }
        Map<String, Set<AuditKind>> refundLegs = new HashMap<>();
        for (AuditRecord audit : audits) {
            if (REFUND_MOVEMENTS.contains(audit.getKind())) {
                refundLegs.computeIfAbsent(audit.getPaymentId() + " refund " + audit.getActionId(),
                        id -> new HashSet<>()).add(audit.getKind());
            }
        }
        refundLegs.forEach((refund, legs) -> {
            if (!legs.contains(AuditKind.REFUND)) {
                violations.add("payment " + refund + " credited or returned without a debit of the payee");
            } else if (!legs.contains(AuditKind.REFUND_CREDIT) && !legs.contains(AuditKind.REFUND_REVERSAL)) {
                violations.add("payment " + refund + " is still in flight: the payee was debited, the payer "
                        + "neither credited nor the payee repaid");
            } else if (legs.contains(AuditKind.REFUND_CREDIT) && legs.contains(AuditKind.REFUND_REVERSAL)) {
                violations.add("payment " + refund + " both credited the payer and repaid the payee");
            }
        });
        legsByPayment.forEach((paymentId, legs) -> {
            boolean settled = legs.contains(AuditKind.CREDIT) || legs.contains(AuditKind.REVERSAL);
            boolean withdrawal = audits.stream().anyMatch(a -> paymentId.equals(a.getPaymentId())
                    && a.getPaymentType() == PaymentType.WITHDRAWAL);
            if ((legs.contains(AuditKind.DEBIT) || legs.contains(AuditKind.CAPTURE)) && !settled && !withdrawal) {
                violations.add("payment " + paymentId + " is still in flight: debited, neither credited nor reversed");
            }
        });
        Set<String> currencies = new HashSet<>(external.keySet());
        currencies.addAll(held.keySet());
        for (String currency : currencies) {
            long balances = held.getOrDefault(currency, 0L);
            long inflow = external.getOrDefault(currency, 0L);
            if (balances != inflow) {
                violations.add("conservation in " + currency + ": balances sum to " + balances
                        + ", completed top-ups minus withdrawals are " + inflow);
            }
        }
    }
}
