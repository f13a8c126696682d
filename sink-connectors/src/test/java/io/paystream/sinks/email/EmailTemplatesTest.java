package io.paystream.sinks.email;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.webhooks.WebhookEvents;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmailTemplatesTest {
    private final EmailTemplates templates = new EmailTemplates();

    private static Notification notification(PaymentStatus status, NotificationRole role, PaymentType type) {
        return Notification.newBuilder().setNotificationId("p:" + status + ":" + role)
                .setAccountId(role == NotificationRole.PAYER ? "alice" : "bob").setRole(role)
                .setPaymentId("4c8b6f3e-1f0a-4d6e-9b7a-2d3c4e5f6a7b").setPaymentType(type).setStatus(status)
                .setAmount(1050).setCurrency("USD")
                .setCounterpartyId(type == PaymentType.TRANSFER ? (role == NotificationRole.PAYER ? "bob" : "alice")
                        : null)
                .setReason(status == PaymentStatus.REJECTED ? RejectionReason.INSUFFICIENT_FUNDS : null)
                .setActionId(status.name().startsWith("REFUND") ? "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" : null)
                .setCreatedAtMs(1_700_000_000_000L).build();
    }

    @Test
    void everyStatusThatBecomesAnEventHasAnEmailForEitherParty() {
        for (PaymentStatus status : PaymentStatus.values()) {
            for (NotificationRole role : NotificationRole.values()) {
                Notification notification = notification(status, role, PaymentType.TRANSFER);
                Optional<EmailTemplates.Email> email = templates.render(notification);
                assertThat(email.isPresent()).as("%s %s", status, role)
                        .isEqualTo(!WebhookEvents.of(notification).isEmpty());
                email.ifPresent(e -> {
                    assertThat(e.subject()).as("%s %s", status, role).isNotBlank().doesNotContain("{{", "\n");
                    assertThat(e.body()).as("%s %s", status, role).contains("10.50 USD", notification.getAccountId(),
                            notification.getPaymentId()).doesNotContain("{{");
                });
            }
        }
    }

    @Test
    void theEmailSaysWhatHappenedToWhom() {
        EmailTemplates.Email received = templates.render(notification(PaymentStatus.COMPLETED, NotificationRole.PAYEE,
                PaymentType.TRANSFER)).orElseThrow();
        assertThat(received.subject()).isEqualTo("You received 10.50 USD");
        assertThat(received.body()).contains("from alice");
        EmailTemplates.Email topUp = templates.render(notification(PaymentStatus.COMPLETED, NotificationRole.PAYEE,
                PaymentType.TOPUP)).orElseThrow();
        assertThat(topUp.body()).contains("from a top-up from outside PayStream");
        EmailTemplates.Email declined = templates.render(notification(PaymentStatus.REJECTED, NotificationRole.PAYER,
                PaymentType.TRANSFER)).orElseThrow();
        assertThat(declined.subject()).isEqualTo("Payment of 10.50 USD declined");
        assertThat(declined.body()).contains("(INSUFFICIENT_FUNDS)");
        assertThat(templates.render(notification(PaymentStatus.REFUND_SUCCEEDED, NotificationRole.PAYER,
                PaymentType.TRANSFER)).orElseThrow().body()).contains("refund rf_");
    }

    @Test
    void amountsUseTheCurrencysDecimals() {
        assertThat(EmailTemplates.money(1050, "USD")).isEqualTo("10.50 USD");
        assertThat(EmailTemplates.money(1050, "JPY")).isEqualTo("1050 JPY");
        assertThat(EmailTemplates.money(1050, "BHD")).isEqualTo("1.050 BHD");
        assertThat(EmailTemplates.money(5, "EUR")).isEqualTo("0.05 EUR");
    }
}
