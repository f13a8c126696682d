package io.paystream.schemas;

import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.serde.AvroSerde;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The registry of every PayStream topic, with its key and value serdes (see DESIGN.md, "Topics"). Keys are plain
 * UTF-8 strings (payment ids or account ids); values use Avro single-object encoding.
 */
public final class Topics {
    /** Payment requests from the ingress and direct producers. Key: paymentId. */
    public static final Topic<String, PaymentRequest> PAYMENT_REQUESTS =
            new Topic<>("payments.requests.v1", Serdes.String(), AvroSerde.of(PaymentRequest.class));

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
    public static final Topic<byte[], byte[]> DEAD_LETTERS =
            new Topic<>("payments.dlq.v1", Serdes.ByteArray(), Serdes.ByteArray());

    /**
     * The co-partitioned topics. They must share one partition count, because the ledger routes legs by account id and
     * the intake and status view rely on paymentId keys landing on the same partition number across topics.
     */
    public static final List<Topic<?, ?>> CO_PARTITIONED =
            List.of(PAYMENT_REQUESTS, ACCOUNT_REQUESTS, LEDGER, PAYMENT_EVENTS, AUDIT, NOTIFICATIONS);

    /** Every topic the pipeline needs, co-partitioned ones first. */
    public static final List<Topic<?, ?>> ALL = List.of(
            PAYMENT_REQUESTS, ACCOUNT_REQUESTS, LEDGER, PAYMENT_EVENTS, AUDIT, NOTIFICATIONS, DEAD_LETTERS);

    private Topics() {
    }
}
