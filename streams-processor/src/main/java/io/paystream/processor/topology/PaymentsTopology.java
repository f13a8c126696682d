package io.paystream.processor.topology;

import io.paystream.processor.intake.AccountIntakeTopology;
import io.paystream.processor.cards.CardResultTopology;
import io.paystream.processor.intake.PaymentIntakeTopology;
import io.paystream.processor.ledger.AccountQuota;
import io.paystream.processor.ledger.LedgerTopology;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.processor.stats.StatsScopes;
import io.paystream.processor.status.PaymentStatusTopology;
import io.paystream.schemas.Topic;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.web.auth.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.Topology;

/**
 * Composes the sub-topologies (docs/architecture.md), and is the only class that knows which topic feeds which.
 *
 * <pre>
 * accounts.requests.v1 → account intake → payments.ledger.v1
 * payments.requests.v1 (key: the first leg's account)
 * payments.requests.&lt;client&gt;.v1 (key: paymentId)
 *                      → payment intake [payment-fingerprints] ─┐ first leg, same task and transaction
 * payments.ledger.v1   → ───────────────────────────────────── ledger [accounts, card-top-ups, ...]
 *                                  → payments.ledger.v1, .events.v1, .audit.v1, .notifications.v1, acquirer.requests.v1
 * payments.actions.v1  → action intake [payment-action-fingerprints, reads payments] → payments.ledger.v1, .events.v1
 * payments.events.v1   → payment status [payments]
 * acquirer.results.v1  → card results → payments.ledger.v1
 * </pre>
 *
 * <p>Payment intake and the ledger are one sub-topology, so a request and the account its first leg moves are decided
 * by one task in one transaction, when the request is keyed by that account (the ingress keys it so). A transfer then
 * takes two exactly-once steps to its terminal event: intake with the debit, and the credit.
 *
 * <p>A card top-up leaves intake as a CARD_CHARGE leg to its payee's ledger task, which checks that the account would
 * take the credit and only then writes the charge to {@code acquirer.requests.v1}. The acquirer connector, outside the
 * topology, charges the card and writes the answer to {@code acquirer.results.v1}; card results routes it back to the
 * payee's task as a CARD_RESULT, which checks it against the charge it asked for.
 *
 * <p>Action intake and the status view share one sub-topology (and so one task per partition), because action intake
 * reads the {@code payments} store to decide whether a payment can be captured, voided or refunded.
 */
public final class PaymentsTopology {
    /** The idempotency window when none is configured. */
    public static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofDays(7);
    /** How long an ended card top-up is kept on its payee's task when none is configured: a month of late answers. */
    public static final Duration DEFAULT_CARD_TOP_UP_RETENTION = Duration.ofDays(30);

    private PaymentsTopology() {
    }

    /**
     * What the topology is built with, besides the partition count.
     *
     * @param directProducers each direct producer's own request topic, by name, and the client it writes as
     * @param idempotencyWindow how long action intake remembers each action's fingerprint, in stream time
     * @param cardTopUpRetention how long an ended card top-up stays in its payee's {@code card-top-ups}, in stream
     *     time
     * @param accountQuota how many accounts each client may open
     * @param minHoldSeconds the shortest hold a manual capture may ask for (60 s in production)
     * @param statsScopes which clients' stats each payment counts in
     */
    public record Settings(Map<String, ApiClient> directProducers, Duration idempotencyWindow,
            Duration cardTopUpRetention, AccountQuota accountQuota, long minHoldSeconds, StatsScopes statsScopes) {
        public Settings {
            directProducers = Map.copyOf(directProducers);
        }

        /** No direct producers, the default windows, quota and hold minimum, and every payment in admin's stats only. */
        public static Settings defaults() {
            return new Settings(Map.of(), DEFAULT_IDEMPOTENCY_WINDOW, DEFAULT_CARD_TOP_UP_RETENTION,
                    AccountQuota.standard(), PaymentRequestRules.HOLD_SECONDS_MIN, StatsScopes.none());
        }
    }

    /** Builds the production topology with the default settings, for a ledger of one partition. */
    public static Topology build(PaymentMetrics metrics) {
        return build(metrics, Settings.defaults(), 1);
    }

    /**
     * Builds the production topology.
     *
     * @param partitions the partition count of the co-partitioned topics, the ledger's among them
     */
    public static Topology build(PaymentMetrics metrics, Settings settings, int partitions) {
        return build(metrics, settings, partitions, "");
    }

    /**
     * The production topology with {@code prefix} before every topic it reads and writes: with a prefix, a replay's
     * shadow, fed copies of the live requests and touching no live topic. The live topology has none.
     */
    public static Topology build(PaymentMetrics metrics, Settings settings, int partitions, String prefix) {
        Topic<String, LedgerCommand> ledger = Topics.LEDGER.prefixed(prefix);
        Topic<String, PaymentEvent> events = Topics.PAYMENT_EVENTS.prefixed(prefix);
        Topic<String, AuditRecord> audit = Topics.AUDIT.prefixed(prefix);
        Topic<byte[], byte[]> deadLetters = Topics.DEAD_LETTERS.prefixed(prefix);
        Map<String, ApiClient> direct = new java.util.TreeMap<>();
        settings.directProducers().forEach((topic, client) -> direct.put(prefix + topic, client));
        Topology topology = new Topology();
        // The status view first: action intake reads its store.
        PaymentStatusTopology.addTo(topology, events, metrics, settings.statsScopes());
        AccountIntakeTopology.addTo(topology, new AccountIntakeTopology.Topics(
                Topics.ACCOUNT_REQUESTS.prefixed(prefix), ledger, audit, deadLetters), metrics);
        PaymentIntakeTopology.Topics intake = new PaymentIntakeTopology.Topics(Topics.PAYMENT_REQUESTS.prefixed(prefix),
                Topics.PAYMENT_BATCHES.prefixed(prefix), Topics.PAYMENT_ACTIONS.prefixed(prefix), direct, events,
                ledger, audit, deadLetters, prefix);
        PaymentIntakeTopology.addActionsTo(topology, intake, settings.idempotencyWindow(),
                PaymentStatusTopology.PAYMENTS_STORE, metrics);
        CardResultTopology.addTo(topology, new CardResultTopology.Topics(Topics.ACQUIRER_RESULTS.prefixed(prefix),
                ledger, deadLetters), metrics);
        // Request intake before the ledger, which takes it as a parent: the two form one sub-topology.
        PaymentIntakeTopology.addRequestsTo(topology, intake, settings.minHoldSeconds(), LedgerTopology.PROCESSOR,
                partitions, metrics);
        LedgerTopology.addTo(topology, new LedgerTopology.Topics(ledger, events, audit,
                Topics.NOTIFICATIONS.prefixed(prefix), deadLetters, Topics.ACQUIRER_REQUESTS.prefixed(prefix),
                Topics.BALANCE_EVENTS.prefixed(prefix)), partitions, settings.cardTopUpRetention(), settings.accountQuota(),
                metrics, PaymentIntakeTopology.PROCESSOR, PaymentIntakeTopology.BATCH_PROCESSOR);
        return topology;
    }
}
