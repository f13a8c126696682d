package io.paystream.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paystream.schemas.RefundIds;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookEventsTest {
    private static final String PAYMENT = "4c8b6f3e-1f0a-4d6e-9b7a-2d3c4e5f6a7b";
    private static final String ACTION = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

    private static Notification notification(PaymentStatus status, NotificationRole role) {
        return Notification.newBuilder().setNotificationId(PAYMENT + ":" + status + ":" + role)
                .setAccountId(role == NotificationRole.PAYER ? "alice" : "shop").setRole(role).setPaymentId(PAYMENT)
                .setPaymentType(PaymentType.TRANSFER).setStatus(status).setAmount(1050).setCurrency("USD")
                .setCounterpartyId(role == NotificationRole.PAYER ? "shop" : "alice").setCreatedAtMs(1_700_000_000_000L)
                .build();
    }

    private static List<String> types(Notification notification) {
        return WebhookEvents.of(notification).stream().map(WebhookEvent::type).toList();
    }

    @Test
    void eachStatusBecomesItsLifecycleEventAndMovementsAlsoBecomeAccountEvents() {
        assertThat(types(notification(PaymentStatus.COMPLETED, NotificationRole.PAYER)))
                .containsExactly("payment.completed", "account.debited");
        assertThat(types(notification(PaymentStatus.COMPLETED, NotificationRole.PAYEE)))
                .containsExactly("payment.completed", "account.credited");
        assertThat(types(notification(PaymentStatus.REJECTED, NotificationRole.PAYER)))
                .containsExactly("payment.rejected");
        assertThat(types(notification(PaymentStatus.REVERSED, NotificationRole.PAYER)))
                .containsExactly("payment.reversed");
        assertThat(types(notification(PaymentStatus.AUTHORIZED, NotificationRole.PAYER)))
                .containsExactly("payment.authorized");
        assertThat(types(notification(PaymentStatus.VOIDED, NotificationRole.PAYER)))
                .containsExactly("payment.voided");
        assertThat(types(notification(PaymentStatus.EXPIRED, NotificationRole.PAYER)))
                .containsExactly("payment.expired");
        assertThat(types(notification(PaymentStatus.REFUND_SUCCEEDED, NotificationRole.PAYER)))
                .containsExactly("refund.succeeded", "account.credited");
        assertThat(types(notification(PaymentStatus.REFUND_SUCCEEDED, NotificationRole.PAYEE)))
                .containsExactly("refund.succeeded", "account.debited");
        assertThat(types(notification(PaymentStatus.REFUND_FAILED, NotificationRole.PAYEE)))
                .containsExactly("refund.failed");
        assertThat(types(notification(PaymentStatus.ACCEPTED, NotificationRole.PAYER))).isEmpty();
        assertThat(WebhookEvents.TYPES).hasSize(11);
    }

    @Test
    void aBalanceEventBecomesOneThresholdCrossedEventWithADeterministicId() throws Exception {
        io.paystream.schemas.avro.BalanceEvent crossed = io.paystream.schemas.avro.BalanceEvent.newBuilder()
                .setEventId("bm_00000000000000aa_alice:2").setType("balance.threshold_crossed")
                .setAccountId("alice").setMonitorId("bm_00000000000000aa_alice")
                .setField(io.paystream.schemas.avro.BalanceField.AVAILABLE)
                .setOperator(io.paystream.schemas.avro.ThresholdOperator.LTE).setThreshold(100).setValue(90)
                .setCurrency("USD").setCrossing(2).setStateSeq(7).setEntrySeq(3).setCreatedAtMs(1_000).build();
        WebhookEvent event = WebhookEvents.of(crossed);
        assertThat(event.type()).isEqualTo(WebhookEvents.BALANCE_THRESHOLD_CROSSED);
        assertThat(event.accountId()).isEqualTo("alice");
        assertThat(event.id()).isEqualTo(WebhookEvents.of(crossed).id()).startsWith("evt_")
                .isNotEqualTo(WebhookEvents.of(io.paystream.schemas.avro.BalanceEvent.newBuilder(crossed)
                        .setEventId("bm_00000000000000aa_alice:3").build()).id());
        com.fasterxml.jackson.databind.JsonNode data = new ObjectMapper().readTree(event.body()).get("data");
        assertThat(data.get("monitorId").asText()).isEqualTo("bm_00000000000000aa_alice");
        assertThat(data.get("field").asText()).isEqualTo("available");
        assertThat(data.get("operator").asText()).isEqualTo("lte");
        assertThat(data.get("value").asLong()).isEqualTo(90);
        assertThat(data.get("crossing").asLong()).isEqualTo(2);
    }

    @Test
    void idsAndBodiesAreDeterministicAndDistinctPerTypeAndParty() throws Exception {
        List<WebhookEvent> payer = WebhookEvents.of(notification(PaymentStatus.COMPLETED, NotificationRole.PAYER));
        assertThat(WebhookEvents.of(notification(PaymentStatus.COMPLETED, NotificationRole.PAYER)))
                .isEqualTo(payer);
        List<WebhookEvent> payee = WebhookEvents.of(notification(PaymentStatus.COMPLETED, NotificationRole.PAYEE));
        assertThat(List.of(payer.get(0).id(), payer.get(1).id(), payee.get(0).id(), payee.get(1).id()))
                .doesNotHaveDuplicates().allMatch(id -> id.matches("evt_[0-9a-f]{32}"));

        JsonNode body = new ObjectMapper().readTree(payer.get(1).body());
        assertThat(body.get("id").asText()).isEqualTo(payer.get(1).id());
        assertThat(body.get("type").asText()).isEqualTo("account.debited");
        assertThat(body.get("createdAt").asText()).isEqualTo("2023-11-14T22:13:20Z");
        assertThat(body.at("/data/accountId").asText()).isEqualTo("alice");
        assertThat(body.at("/data/amount").asLong()).isEqualTo(1050);
        assertThat(body.at("/data/counterpartyId").asText()).isEqualTo("shop");
        assertThat(payer.get(1).accountId()).isEqualTo("alice");
    }

    @Test
    void aRejectionCarriesItsReasonAndARefundItsId() throws Exception {
        Notification rejected = Notification.newBuilder(notification(PaymentStatus.REJECTED, NotificationRole.PAYER))
                .setReason(RejectionReason.INSUFFICIENT_FUNDS).build();
        assertThat(new ObjectMapper().readTree(WebhookEvents.of(rejected).get(0).body()).at("/data/reason").asText())
                .isEqualTo("INSUFFICIENT_FUNDS");
        Notification refund = Notification.newBuilder(notification(PaymentStatus.REFUND_SUCCEEDED,
                NotificationRole.PAYER)).setActionId(ACTION).build();
        assertThat(new ObjectMapper().readTree(WebhookEvents.of(refund).get(0).body()).at("/data/refundId").asText())
                .isEqualTo(RefundIds.of(PAYMENT, ACTION));
    }
}
