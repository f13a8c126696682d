package io.paystream.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paystream.schemas.RefundIds;
import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.NotificationRole;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The webhook events a notification on {@code payments.notifications.v1} becomes. A notification is about one account
 * (one party of a payment), and so is every event made from it:
 * <ul>
 *   <li>the payment's lifecycle: {@code payment.completed}, {@code payment.rejected}, {@code payment.reversed},
 *       {@code payment.authorized}, {@code payment.voided}, {@code payment.expired}, {@code refund.succeeded},
 *       {@code refund.failed};</li>
 *   <li>and, when the account's balance moved for good, {@code account.credited} or {@code account.debited}. A
 *       reversal gives back a debit that never completed, so it moves nothing for good and has no account event.</li>
 * </ul>
 * A payment between two accounts of one client reaches that client once per party, each with its own event id. A
 * balance event on {@code accounts.balance-events.v1} becomes {@code balance.threshold_crossed}.
 */
public final class WebhookEvents {
    public static final String PAYMENT_COMPLETED = "payment.completed";
    public static final String PAYMENT_REJECTED = "payment.rejected";
    public static final String PAYMENT_REVERSED = "payment.reversed";
    public static final String PAYMENT_AUTHORIZED = "payment.authorized";
    public static final String PAYMENT_VOIDED = "payment.voided";
    public static final String PAYMENT_EXPIRED = "payment.expired";
    public static final String REFUND_SUCCEEDED = "refund.succeeded";
    public static final String REFUND_FAILED = "refund.failed";
    public static final String ACCOUNT_CREDITED = "account.credited";
    public static final String ACCOUNT_DEBITED = "account.debited";
    /** A balance monitor's condition became true (on {@code accounts.balance-events.v1}). */
    public static final String BALANCE_THRESHOLD_CROSSED = "balance.threshold_crossed";

    /** Every type an endpoint may subscribe to. */
    public static final Set<String> TYPES = Set.of(PAYMENT_COMPLETED, PAYMENT_REJECTED, PAYMENT_REVERSED,
            PAYMENT_AUTHORIZED, PAYMENT_VOIDED, PAYMENT_EXPIRED, REFUND_SUCCEEDED, REFUND_FAILED, ACCOUNT_CREDITED,
            ACCOUNT_DEBITED, BALANCE_THRESHOLD_CROSSED);

    private static final ObjectMapper JSON = new ObjectMapper();

    private WebhookEvents() {
    }

    /** The events {@code notification} becomes, lifecycle first; none for a status no event describes. */
    public static List<WebhookEvent> of(Notification notification) {
        boolean payer = notification.getRole() == NotificationRole.PAYER;
        List<String> types = new ArrayList<>(2);
        switch (notification.getStatus()) {
            case COMPLETED -> {
                types.add(PAYMENT_COMPLETED);
                types.add(payer ? ACCOUNT_DEBITED : ACCOUNT_CREDITED);
            }
            case REJECTED -> types.add(PAYMENT_REJECTED);
            case REVERSED -> types.add(PAYMENT_REVERSED);
            case AUTHORIZED -> types.add(PAYMENT_AUTHORIZED);
            case VOIDED -> types.add(PAYMENT_VOIDED);
            case EXPIRED -> types.add(PAYMENT_EXPIRED);
            case REFUND_SUCCEEDED -> {
                types.add(REFUND_SUCCEEDED);
                // A refund takes the money back from the payee and gives it to the payer.
                types.add(payer ? ACCOUNT_CREDITED : ACCOUNT_DEBITED);
            }
            case REFUND_FAILED -> types.add(REFUND_FAILED);
            default -> {
                // ACCEPTED, REFUND_PENDING and the failed actions are answered to the caller; no event.
            }
        }
        List<WebhookEvent> events = new ArrayList<>(types.size());
        for (String type : types) {
            String id = eventId(notification.getNotificationId(), type);
            events.add(new WebhookEvent(id, type, notification.getAccountId(), body(id, type, notification)));
        }
        return events;
    }

    /** The event a balance event becomes: {@code balance.threshold_crossed}, about the monitored account. */
    public static WebhookEvent of(BalanceEvent balance) {
        String id = eventId(balance.getEventId(), balance.getType());
        ObjectNode event = JSON.createObjectNode();
        event.put("id", id);
        event.put("type", balance.getType());
        event.put("createdAt", Instant.ofEpochMilli(balance.getCreatedAtMs()).toString());
        ObjectNode data = event.putObject("data");
        data.put("accountId", balance.getAccountId());
        data.put("monitorId", balance.getMonitorId());
        data.put("field", balance.getField().name().toLowerCase(Locale.ROOT));
        data.put("operator", balance.getOperator().name().toLowerCase(Locale.ROOT));
        data.put("threshold", balance.getThreshold());
        data.put("value", balance.getValue());
        data.put("currency", balance.getCurrency());
        data.put("crossing", balance.getCrossing());
        data.put("stateSeq", balance.getStateSeq());
        data.put("entrySeq", balance.getEntrySeq());
        data.put("paymentId", balance.getPaymentId());
        return new WebhookEvent(id, balance.getType(), balance.getAccountId(), write(event));
    }

    /** {@code evt_} and the first 128 bits, in hex, of SHA-256(notification id, type). */
    static String eventId(String notificationId, String type) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((notificationId + "\n" + type).getBytes(StandardCharsets.UTF_8));
            return "evt_" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String body(String id, String type, Notification notification) {
        ObjectNode event = JSON.createObjectNode();
        event.put("id", id);
        event.put("type", type);
        event.put("createdAt", Instant.ofEpochMilli(notification.getCreatedAtMs()).toString());
        ObjectNode data = event.putObject("data");
        data.put("accountId", notification.getAccountId());
        data.put("role", notification.getRole().name());
        data.put("paymentId", notification.getPaymentId());
        data.put("paymentType", notification.getPaymentType().name());
        data.put("status", notification.getStatus().name());
        data.put("amount", notification.getAmount());
        data.put("currency", notification.getCurrency());
        data.put("counterpartyId", notification.getCounterpartyId());
        data.put("reason", notification.getReason() == null ? null : notification.getReason().name());
        if (notification.getActionId() != null && notification.getStatus().name().startsWith("REFUND_")) {
            data.put("refundId", RefundIds.of(notification.getPaymentId(), notification.getActionId()));
        }
        return write(event);
    }

    private static String write(ObjectNode event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ObjectNode always serializes", e);
        }
    }
}
