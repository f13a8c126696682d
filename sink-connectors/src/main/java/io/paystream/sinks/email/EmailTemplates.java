package io.paystream.sinks.email;

import io.paystream.schemas.RefundIds;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.webhooks.WebhookEvent;
import io.paystream.webhooks.WebhookEvents;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The email for a notification, from a plain-text template per event type in {@code resources/email/}: the lifecycle
 * event's type ({@code payment.completed}, {@code refund.failed}...), with {@code .payer} or {@code .payee} first
 * where the two sides read differently. A template's first line is {@code Subject: ...}, then a blank line, then the
 * body; {@code {{name}}} placeholders take the values below.
 */
final class EmailTemplates {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-zA-Z]+)}}");
    private final Map<String, Optional<String>> cache = new ConcurrentHashMap<>();

    /** A rendered email. */
    record Email(String subject, String body) {
    }

    /** The email for {@code notification}, or empty when no template covers its status. */
    Optional<Email> render(Notification notification) {
        List<WebhookEvent> events = WebhookEvents.of(notification);
        if (events.isEmpty()) {
            return Optional.empty();
        }
        String type = events.get(0).type();
        String role = notification.getRole().name().toLowerCase(Locale.ROOT);
        Optional<String> template = template(type + "." + role).or(() -> template(type));
        return template.map(text -> fill(text, values(notification)));
    }

    private Optional<String> template(String name) {
        return cache.computeIfAbsent(name, key -> {
            try (InputStream in = EmailTemplates.class.getResourceAsStream("/email/" + key + ".txt")) {
                return in == null ? Optional.empty()
                        : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the email template " + key, e);
            }
        });
    }

    private static Email fill(String template, Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder filled = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalStateException("email template uses an unknown placeholder {{" + matcher.group(1)
                        + "}}");
            }
            matcher.appendReplacement(filled, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(filled);
        String text = filled.toString();
        if (!text.startsWith("Subject: ") || !text.contains("\n\n")) {
            throw new IllegalStateException("an email template starts with 'Subject: ...' and a blank line");
        }
        int end = text.indexOf('\n');
        return new Email(text.substring("Subject: ".length(), end).trim(), text.substring(text.indexOf("\n\n") + 2));
    }

    static Map<String, String> values(Notification notification) {
        Map<String, String> values = new HashMap<>();
        values.put("accountId", notification.getAccountId());
        values.put("paymentId", notification.getPaymentId());
        values.put("amount", money(notification.getAmount(), notification.getCurrency()));
        values.put("counterparty", counterparty(notification));
        values.put("reason", notification.getReason() == null ? "" : notification.getReason().name());
        values.put("refundId", notification.getActionId() == null ? ""
                : RefundIds.of(notification.getPaymentId(), notification.getActionId()));
        values.put("date", Instant.ofEpochMilli(notification.getCreatedAtMs()).toString());
        return values;
    }

    /** {@code 1050 USD} as {@code 10.50 USD}, with the currency's own number of decimals. */
    static String money(long minor, String currency) {
        int digits;
        try {
            digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
        } catch (IllegalArgumentException e) {
            digits = 2;
        }
        return BigDecimal.valueOf(minor, digits).toPlainString() + " " + currency;
    }

    private static String counterparty(Notification notification) {
        if (notification.getCounterpartyId() != null) {
            return notification.getCounterpartyId();
        }
        boolean payer = notification.getRole() == NotificationRole.PAYER;
        return notification.getPaymentType() == PaymentType.TOPUP || !payer ? "a top-up from outside PayStream"
                : "a withdrawal out of PayStream";
    }
}
