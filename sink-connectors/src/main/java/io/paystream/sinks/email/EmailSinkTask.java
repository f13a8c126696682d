package io.paystream.sinks.email;

import io.micrometer.core.instrument.Counter;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.sinks.SinkConfig;
import io.paystream.sinks.SinkDatabase;
import io.paystream.sinks.metrics.SinkMetrics;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emails each notification to its account's holder, when the account has an address and a template covers the
 * notification's status. At least once: a message is sent, then recorded in {@code email_messages}; a notification
 * already recorded is skipped, so a replayed batch sends nothing twice, and only a crash between sending and
 * recording sends one message again (with the same Message-ID). When the SMTP server or the query API fails, the
 * batch is handed back to Connect, which retries it after a pause; offsets never pass an unsent notification.
 * Rejection emails are throttled per account and per address (at most 5 and 20 an hour by default): the rest are
 * recorded as throttled and counted, never sent.
 */
public final class EmailSinkTask extends SinkTask {
    private static final Logger LOG = LoggerFactory.getLogger(EmailSinkTask.class);

    private EmailConfig config;
    private Jdbi jdbi;
    private AccountDirectory directory;
    private Mailer mailer;
    private final EmailTemplates templates = new EmailTemplates();

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public void start(Map<String, String> properties) {
        config = new EmailConfig(properties);
        jdbi = SinkDatabase.connect(new SinkConfig(properties)).jdbi();
        directory = new AccountDirectory(config.queryApiUrl(), config.queryApiKey().value());
        try {
            mailer = new Mailer(config);
        } catch (MessagingException e) {
            throw new ConnectException("invalid email settings: " + e.getMessage(), e);
        }
        for (Outcome outcome : Outcome.values()) {
            outcome.counter(); // every series exists at 0 from the start
        }
        failures();
    }

    /** What happened to one notification, counted in {@code paystream_email_notifications_total}. */
    enum Outcome {
        SENT, NO_ADDRESS, NO_TEMPLATE, ALREADY_SENT,
        /** A rejection email over its account's or address's hourly allowance: recorded, counted, not sent. */
        THROTTLED,
        /** The SMTP server refused the recipient for good (a 5xx): retrying would hold every email behind it. */
        REFUSED;

        Counter counter() {
            return Counter.builder("paystream.email.notifications")
                    .description("Notifications the email sink handled, by outcome")
                    .tag("outcome", name().toLowerCase(java.util.Locale.ROOT)).register(SinkMetrics.registry());
        }
    }

    /** How often the send log is trimmed to its retention, and how many rows go in one statement. */
    private static final long RETENTION_EVERY_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(10);
    private static final int RETENTION_BATCH = 10_000;
    private long nextRetentionAt = System.nanoTime();

    /** Deletes send-log rows past their retention, a bounded batch at a time, at most every ten minutes. */
    private void forgetOldEmails() {
        if (System.nanoTime() - nextRetentionAt < 0) {
            return;
        }
        int forgotten = jdbi.withHandle(handle -> handle.createUpdate("""
                DELETE FROM email_messages WHERE notification_id IN (SELECT notification_id FROM email_messages
                    WHERE sent_at < now() - make_interval(secs => :ageSeconds) LIMIT :limit)""")
                .bind("ageSeconds", config.retention().toMillis() / 1000.0).bind("limit", RETENTION_BATCH).execute());
        nextRetentionAt = System.nanoTime() + (forgotten == RETENTION_BATCH ? 0 : RETENTION_EVERY_NANOS);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        try {
            forgetOldEmails();
        } catch (JdbiException e) {
            LOG.warn("cannot trim the email send log; trying again later: {}", e.toString());
        }
        for (SinkRecord record : records) {
            if (record.value() == null) {
                continue;
            }
            if (!(record.value() instanceof Notification notification)) {
                throw new DataException("expected a Notification at " + record.topic() + "-"
                        + record.kafkaPartition() + "@" + record.kafkaOffset() + "; is value.converter.record="
                        + "notification?");
            }
            try {
                handle(notification).counter().increment();
            } catch (SendFailedException e) {
                if (!permanent(e)) {
                    failed(notification, e);
                }
                LOG.warn("the SMTP server refused the address of account {} for good; notification {} is not "
                        + "emailed: {}", notification.getAccountId(), notification.getNotificationId(), e.toString());
                Outcome.REFUSED.counter().increment();
            } catch (IOException | MessagingException | JdbiException e) {
                failed(notification, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetriableException("interrupted", e);
            }
        }
    }

    private Outcome handle(Notification notification) throws IOException, InterruptedException, MessagingException {
        Optional<EmailTemplates.Email> email = templates.render(notification);
        if (email.isEmpty()) {
            return Outcome.NO_TEMPLATE;
        }
        Optional<String> address = directory.email(notification.getAccountId());
        if (address.isEmpty()) {
            return Outcome.NO_ADDRESS;
        }
        String id = notification.getNotificationId();
        boolean sent = jdbi.withHandle(handle -> handle.createQuery("SELECT count(*) FROM email_messages "
                + "WHERE notification_id = :id").bind("id", id).mapTo(Integer.class).one() > 0);
        if (sent) {
            return Outcome.ALREADY_SENT;
        }
        if (notification.getStatus() == PaymentStatus.REJECTED && overAllowance(notification, address.get())) {
            record(notification, address.get(), email.get().subject(), null);
            return Outcome.THROTTLED;
        }
        String messageId = "<" + hash(id) + "@paystream.local>";
        mailer.send(address.get(), email.get().subject(), email.get().body(), messageId);
        record(notification, address.get(), email.get().subject(), messageId);
        return Outcome.SENT;
    }

    /**
     * True when the account or the address has had its hour's allowance of rejection emails: a refused payment costs
     * its sender nothing, so without it anyone could make PayStream mail a victim's address at the rate limit.
     */
    private boolean overAllowance(Notification notification, String address) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                SELECT (SELECT count(*) FROM email_messages WHERE account_id = :account AND status = 'REJECTED'
                            AND NOT throttled AND sent_at > now() - interval '1 hour') >= :perAccount
                    OR (SELECT count(*) FROM email_messages WHERE address = :address AND status = 'REJECTED'
                            AND NOT throttled AND sent_at > now() - interval '1 hour') >= :perAddress""")
                .bind("account", notification.getAccountId()).bind("address", address)
                .bind("perAccount", config.rejectionsPerAccountPerHour())
                .bind("perAddress", config.rejectionsPerAddressPerHour())
                .mapTo(Boolean.class).one());
    }

    /** Records a notification as handled: sent with {@code messageId}, or throttled when it is null. */
    private void record(Notification notification, String address, String subject, String messageId) {
        jdbi.useHandle(handle -> handle.createUpdate("""
                INSERT INTO email_messages (notification_id, account_id, address, subject, message_id, sent_at, status,
                    throttled)
                VALUES (:id, :account, :address, :subject, :messageId, now(), :status, :throttled)
                ON CONFLICT DO NOTHING""")
                .bind("id", notification.getNotificationId()).bind("account", notification.getAccountId())
                .bind("address", address).bind("subject", subject).bind("messageId", messageId)
                .bind("status", notification.getStatus().name()).bind("throttled", messageId == null).execute());
    }

    /** A 5xx reply: the server will refuse this message however often it is sent. */
    private static boolean permanent(SendFailedException e) {
        for (Exception next = e; next != null; next = next instanceof MessagingException m ? m.getNextException()
                : null) {
            if (next instanceof SMTPAddressFailedException failed && failed.getReturnCode() >= 500) {
                return true;
            }
        }
        return false;
    }

    private void failed(Notification notification, Exception e) {
        failures().increment();
        LOG.warn("cannot email notification {}; the batch will be retried in {} ms: {}",
                notification.getNotificationId(), config.retryBackoffMs(), e.toString());
        if (context != null) {
            context.timeout(config.retryBackoffMs());
        }
        throw new RetriableException("emailing notification " + notification.getNotificationId() + " failed", e);
    }

    private static Counter failures() {
        return Counter.builder("paystream.email.failures")
                .description("Batches handed back to Connect because the SMTP server or the query API failed")
                .register(SinkMetrics.registry());
    }

    private static String hash(String notificationId) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(notificationId.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public void stop() {
        // Connections are opened per message; nothing is held.
    }
}
