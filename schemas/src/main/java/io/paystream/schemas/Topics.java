package io.paystream.schemas;

import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AcquirerRequest;
import io.paystream.schemas.avro.AcquirerResult;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentBatch;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.WebhookEndpoint;
import io.paystream.schemas.serde.AvroSerde;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The registry of every PayStream topic, with its key and value serdes (docs/architecture.md, "Topics", says who writes and reads each). Keys are plain
 * UTF-8 strings (payment ids or account ids); values use Avro single-object encoding.
 */
public final class Topics {
    /**
     * Payment requests from the ingress, which has authenticated each one's client. Key: the account the request's
     * first leg moves (the payer; the payee of a TOPUP), so that the ledger task of that account decides it.
     */
    public static final Topic<String, PaymentRequest> PAYMENT_REQUESTS =
            new Topic<>("payments.requests.v1", Serdes.String(), AvroSerde.of(PaymentRequest.class));

    /**
     * Batches of payment requests from the ingress: one record per partition a batch's first legs fall on, keyed by
     * the first-leg account of its first payment. Co-partitioned with the requests: the same ledger task decides them.
     */
    public static final Topic<String, PaymentBatch> PAYMENT_BATCHES =
            new Topic<>("payments.batches.v1", Serdes.String(), AvroSerde.of(PaymentBatch.class));

    /** Actions on existing payments (capture, void, refund), from the ingress. Key: paymentId. */
    public static final Topic<String, PaymentAction> PAYMENT_ACTIONS =
            new Topic<>("payments.actions.v1", Serdes.String(), AvroSerde.of(PaymentAction.class));

    /** Account lifecycle requests. Key: accountId. */
    public static final Topic<String, AccountRequest> ACCOUNT_REQUESTS =
            new Topic<>("accounts.requests.v1", Serdes.String(), AvroSerde.of(AccountRequest.class));

    /** Commands for the ledger: payment legs and account commands. Key: accountId. */
    public static final Topic<String, LedgerCommand> LEDGER =
            new Topic<>("payments.ledger.v1", Serdes.String(), AvroSerde.of(LedgerCommand.class));

    /** Payment lifecycle events: ACCEPTED, then one terminal status. Key: paymentId. */
    public static final Topic<String, PaymentEvent> PAYMENT_EVENTS =
            new Topic<>("payments.events.v1", Serdes.String(), AvroSerde.of(PaymentEvent.class));

    /** The append-only journal of movements, rejections and account changes. Key: accountId. */
    public static final Topic<String, AuditRecord> AUDIT =
            new Topic<>("payments.audit.v1", Serdes.String(), AvroSerde.of(AuditRecord.class));

    /** Messages for account holders. Key: accountId. */
    public static final Topic<String, Notification> NOTIFICATIONS =
            new Topic<>("payments.notifications.v1", Serdes.String(), AvroSerde.of(Notification.class));

    /** Records that could not be decoded or processed: the original bytes plus error headers. */
    /** Balance events (balance.threshold_crossed), written by the ledger as a balance changes. Key: accountId. */
    public static final Topic<String, BalanceEvent> BALANCE_EVENTS =
            new Topic<>("accounts.balance-events.v1", Serdes.String(), AvroSerde.of(BalanceEvent.class));

    public static final Topic<byte[], byte[]> DEAD_LETTERS =
            new Topic<>("payments.dlq.v1", Serdes.ByteArray(), Serdes.ByteArray());

    /**
     * Webhook endpoint registrations, compacted: the latest record per endpoint is its registration, and a tombstone
     * deletes it. Written by the ingress (and by the webhook sink when it disables a failing endpoint). Key: endpointId.
     */
    public static final Topic<String, WebhookEndpoint> WEBHOOK_ENDPOINTS =
            new Topic<>("webhooks.endpoints.v1", Serdes.String(), AvroSerde.of(WebhookEndpoint.class));

    /**
     * Webhook events whose every delivery attempt failed: the signed JSON body, with headers naming the endpoint, the
     * event, the attempts and the last error. Key: endpointId.
     */
    public static final Topic<String, byte[]> WEBHOOK_DEAD_LETTERS =
            new Topic<>("webhooks.dlq.v1", Serdes.String(), Serdes.ByteArray());

    /**
     * Card charges and refunds for the acquirer connector, written by the payee's ledger task once it has checked that
     * the account would take the credit. Key: paymentId, which is also the acquirer's idempotency key.
     */
    public static final Topic<String, AcquirerRequest> ACQUIRER_REQUESTS =
            new Topic<>("acquirer.requests.v1", Serdes.String(), AvroSerde.of(AcquirerRequest.class));

    /** The acquirer's answers, written by the acquirer connector, possibly more than once each. Key: paymentId. */
    public static final Topic<String, AcquirerResult> ACQUIRER_RESULTS =
            new Topic<>("acquirer.results.v1", Serdes.String(), AvroSerde.of(AcquirerResult.class));

    /**
     * The co-partitioned topics. They must share one partition count, because the ledger routes legs by account id and
     * the intake and status view rely on paymentId keys landing on the same partition number across topics.
     */
    public static final List<Topic<?, ?>> CO_PARTITIONED =
            List.of(PAYMENT_REQUESTS, PAYMENT_BATCHES, PAYMENT_ACTIONS, ACCOUNT_REQUESTS, LEDGER, PAYMENT_EVENTS, AUDIT,
                    NOTIFICATIONS);

    /** Every topic the pipeline needs, co-partitioned ones first. */
    public static final List<Topic<?, ?>> ALL = List.of(PAYMENT_REQUESTS, PAYMENT_BATCHES, PAYMENT_ACTIONS,
            ACCOUNT_REQUESTS, LEDGER, PAYMENT_EVENTS, AUDIT, NOTIFICATIONS, BALANCE_EVENTS, DEAD_LETTERS, WEBHOOK_ENDPOINTS,
            WEBHOOK_DEAD_LETTERS,
            ACQUIRER_REQUESTS, ACQUIRER_RESULTS);

    /** What a direct producer's client id may be: it becomes part of a topic name. */
    public static final String DIRECT_CLIENT_ID = "[a-z0-9][a-z0-9-]{0,62}";
    private static final Pattern DIRECT_CLIENT_ID_PATTERN =
            Pattern.compile(DIRECT_CLIENT_ID);

    private Topics() {
    }

    /**
     * A direct producer's own request topic, {@code payments.requests.<clientId>.v1}, co-partitioned with
     * {@link #PAYMENT_REQUESTS}. Only that client's principal may write it, so the topic, not a field of the record,
     * says which client sent a request. Key: paymentId.
     *
     * @throws IllegalArgumentException when {@code clientId} does not match {@link #DIRECT_CLIENT_ID}
     */
    public static Topic<String, PaymentRequest> directRequests(String clientId) {
        checkDirectClientId(clientId);
        return new Topic<>("payments.requests." + clientId + ".v1", PAYMENT_REQUESTS.keySerde(),
                PAYMENT_REQUESTS.valueSerde());
    }

    /**
     * A direct producer's own batch topic, {@code payments.batches.<clientId>.v1}, co-partitioned with the ingress's
     * request topic: each record is a whole batch, keyed by its batch id, which the producer chooses (a random UUID).
     *
     * @throws IllegalArgumentException when {@code clientId} does not match {@link #DIRECT_CLIENT_ID}
     */
    public static Topic<String, PaymentBatch> directBatches(String clientId) {
        checkDirectClientId(clientId);
        return new Topic<>("payments.batches." + clientId + ".v1", PAYMENT_BATCHES.keySerde(),
                PAYMENT_BATCHES.valueSerde());
    }

    /** True for a batch topic: the ingress's {@code payments.batches.v1} or a direct producer's. */
    public static boolean isBatchTopic(String topic) {
        return PAYMENT_BATCHES.name().equals(topic)
                || (topic != null && topic.startsWith("payments.batches.") && topic.endsWith(".v1"));
    }

    private static void checkDirectClientId(String clientId) {
        if (clientId == null || !DIRECT_CLIENT_ID_PATTERN.matcher(clientId).matches()) {
            throw new IllegalArgumentException("a direct producer's client id must match " + DIRECT_CLIENT_ID
                    + ": " + clientId);
        }
    }
}
