package io.paystream.testing;

import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RejectionReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reconciles the acquirer's books with PayStream's journal once the pipeline is quiet: every card top-up was charged
 * at most once; every approved charge was either credited exactly once or refunded exactly once, never both and never
 * neither; a refunded one was owed in the journal, confirmed, and ended REJECTED; a declined one ended
 * REJECTED(CARD_DECLINED) and moved nothing; and the acquirer refunded no charge PayStream did not owe back. Shared by
 * the reconciliation test and the chaos checker.
 */
public final class ChargeReconciliation {
    private ChargeReconciliation() {
    }

    /**
     * One charge in the acquirer's books.
     *
     * @param paymentId the payment it was made for (PayStream sends it as the charge's reference)
     * @param chargeId the acquirer's id
     * @param approved true when approved, false when declined
     */
    public record Charge(String paymentId, String chargeId, boolean approved) {
        public Charge {
            Objects.requireNonNull(paymentId, "paymentId");
            Objects.requireNonNull(chargeId, "chargeId");
        }
    }

    /**
     * Every disagreement, as readable sentences; empty when the books agree.
     *
     * @param charges every charge the acquirer made
     * @param refundedChargeIds the charge id of every refund the acquirer made
     * @param events every payment event
     * @param audits every journal entry
     */
    public static List<String> violations(List<Charge> charges, List<String> refundedChargeIds,
            List<PaymentEvent> events, List<AuditRecord> audits) {
        List<String> violations = new ArrayList<>();
        Map<String, Integer> chargesPerPayment = new HashMap<>();
        Map<String, Charge> byChargeId = new HashMap<>();
        for (Charge charge : charges) {
            chargesPerPayment.merge(charge.paymentId(), 1, Integer::sum);
            byChargeId.put(charge.chargeId(), charge);
        }
        chargesPerPayment.forEach((paymentId, count) -> {
            if (count > 1) {
                violations.add("payment " + paymentId + " was charged " + count + " times");
            }
        });
        Map<String, Integer> refunds = new HashMap<>();
        for (String chargeId : refundedChargeIds) {
            refunds.merge(chargeId, 1, Integer::sum);
            Charge charge = byChargeId.get(chargeId);
            if (charge == null || !charge.approved()) {
                violations.add("the acquirer refunded charge " + chargeId + ", which it never approved");
            }
        }
        Map<String, Map<AuditKind, Integer>> entries = new HashMap<>();
        for (AuditRecord audit : audits) {
            if (audit.getPaymentId() != null) {
                entries.computeIfAbsent(audit.getPaymentId(), id -> new HashMap<>()).merge(audit.getKind(), 1,
                        Integer::sum);
            }
        }
        Map<String, PaymentEvent> terminal = new HashMap<>();
        for (PaymentEvent event : events) {
            if (event.getStatus() == PaymentStatus.COMPLETED || event.getStatus() == PaymentStatus.REJECTED) {
                terminal.put(event.getPaymentId(), event);
            }
        }
        for (Charge charge : charges) {
            Map<AuditKind, Integer> journal = entries.getOrDefault(charge.paymentId(), Map.of());
            int credited = journal.getOrDefault(AuditKind.CREDIT, 0);
            int refunded = refunds.getOrDefault(charge.chargeId(), 0);
            PaymentEvent end = terminal.get(charge.paymentId());
            String name = "charge " + charge.chargeId() + " of payment " + charge.paymentId();
            if (!charge.approved()) {
                if (credited + refunded > 0 || end == null || end.getReason() != RejectionReason.CARD_DECLINED) {
                    violations.add("declined " + name + " was credited " + credited + " times, refunded " + refunded
                            + " times, and ended " + describe(end));
                }
                continue;
            }
            if (credited + refunded != 1) {
                violations.add("approved " + name + " was credited " + credited + " times and refunded " + refunded
                        + " times: exactly one of them, once, is owed");
            } else if (refunded == 1 && (journal.getOrDefault(AuditKind.CHARGE_REFUND_OWED, 0) != 1
                    || journal.getOrDefault(AuditKind.CHARGE_REFUNDED, 0) != 1 || end == null
                    || end.getStatus() != PaymentStatus.REJECTED)) {
                violations.add("refunded " + name + " has " + journal + " in the journal and ended " + describe(end));
            } else if (credited == 1 && (end == null || end.getStatus() != PaymentStatus.COMPLETED)) {
                violations.add("credited " + name + " ended " + describe(end));
            }
        }
        return violations;
    }

    private static String describe(PaymentEvent end) {
        return end == null ? "not at all" : end.getStatus() + (end.getReason() == null ? "" : "(" + end.getReason() + ")");
    }
}
