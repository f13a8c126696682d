package io.paystream.processor;

import io.paystream.processor.accounts.AccountIntakeTopology;
import io.paystream.processor.intake.PaymentIntakeTopology;
import io.paystream.processor.ledger.LedgerTopology;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.processor.status.PaymentStatusTopology;
import io.paystream.schemas.Topics;
import io.paystream.web.auth.ApiClient;
import java.util.Map;
import org.apache.kafka.streams.Topology;

/**
 * Composes the four sub-topologies of DESIGN.md, and is the only class that knows which topic feeds which. Every
 * sub-topology that decides about money reads one kind of record: payment intake reads the ingress's request topic and
 * each direct producer's, all co-partitioned and keyed by payment id.
 *
 * <pre>
 * accounts.requests.v1 → account intake → payments.ledger.v1
 * payments.requests.v1
 * payments.requests.&lt;client&gt;.v1 → payment intake [payment-requests] → payments.ledger.v1, payments.events.v1
 * payments.ledger.v1   → ledger [accounts] → payments.ledger.v1, .events.v1, .audit.v1, .notifications.v1
 * payments.events.v1   → payment status [payments]
 * </pre>
 */
public final class PaymentsTopology {
    private PaymentsTopology() {
    }

    /** Builds the production topology without direct producers. */
    public static Topology build(PaymentMetrics metrics) {
        return build(metrics, Map.of());
    }

    /**
     * Builds the production topology.
     *
     * @param directProducers each direct producer's own request topic, by name, and the client it writes as
     */
    public static Topology build(PaymentMetrics metrics, Map<String, ApiClient> directProducers) {
        Topology topology = new Topology();
        AccountIntakeTopology.addTo(topology, new AccountIntakeTopology.Topics(
                Topics.ACCOUNT_REQUESTS, Topics.LEDGER, Topics.AUDIT, Topics.DEAD_LETTERS), metrics);
        PaymentIntakeTopology.addTo(topology, new PaymentIntakeTopology.Topics(
                Topics.PAYMENT_REQUESTS, directProducers, Topics.PAYMENT_EVENTS, Topics.LEDGER, Topics.AUDIT, Topics.DEAD_LETTERS),
                metrics);
        LedgerTopology.addTo(topology, new LedgerTopology.Topics(
                Topics.LEDGER, Topics.PAYMENT_EVENTS, Topics.AUDIT, Topics.NOTIFICATIONS, Topics.DEAD_LETTERS),
                metrics);
        PaymentStatusTopology.addTo(topology, Topics.PAYMENT_EVENTS, metrics);
        return topology;
    }
}
