package io.paystream.sinks.email;

import jakarta.mail.Authenticator;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;

/** Sends plain-text messages over SMTP with Jakarta Mail (Eclipse Angus), with bounded timeouts. */
final class Mailer {
    private static final String TIMEOUT_MS = "10000";
    private final Session session;
    private final InternetAddress from;

    Mailer(EmailConfig config) throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", config.smtpHost());
        properties.put("mail.smtp.port", String.valueOf(config.smtpPort()));
        properties.put("mail.smtp.connectiontimeout", TIMEOUT_MS);
        properties.put("mail.smtp.timeout", TIMEOUT_MS);
        properties.put("mail.smtp.writetimeout", TIMEOUT_MS);
        if (config.startTls()) {
            properties.put("mail.smtp.starttls.enable", "true");
            properties.put("mail.smtp.starttls.required", "true");
        }
        Authenticator authenticator = null;
        if (!config.username().isEmpty()) {
            properties.put("mail.smtp.auth", "true");
            String user = config.username();
            String password = config.password().value();
            authenticator = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(user, password);
                }
            };
        }
        this.session = Session.getInstance(properties, authenticator);
        this.from = new InternetAddress(config.from(), true);
    }

    /**
     * Sends one message. {@code messageId} is the same for every retry of one notification, so that a mail client
     * shows a message sent twice (a crash between sending and recording it) once.
     */
    void send(String to, String subject, String body, String messageId) throws MessagingException {
        MimeMessage message = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        message.setFrom(from);
        message.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(to, true));
        message.setSubject(subject, StandardCharsets.UTF_8.name());
        message.setSentDate(Date.from(java.time.Instant.now())); // Jakarta Mail's API takes a java.util.Date
        message.setText(body, StandardCharsets.UTF_8.name());
        Transport.send(message);
    }
}
