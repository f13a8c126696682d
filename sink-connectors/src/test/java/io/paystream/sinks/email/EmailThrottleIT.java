package io.paystream.sinks.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.sinks.SinkConfig;
import io.paystream.testing.FreePorts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The email sink as a spam relay, tried: many accounts that name one victim's address, each sent a stream of refused
 * payments. The sink runs against real PostgreSQL and a real SMTP server (GreenMail); the account directory it reads
 * addresses from is a plain HTTP endpoint answering as the query API does.
 */
class EmailThrottleIT {
    private EmbeddedPostgres postgres;
    private GreenMail smtp;
    private HttpServer directory;
    private long offset;

    @BeforeEach
    void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        int smtpPort = FreePorts.next();
        smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        directory = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 16);
        // Every account's holder is the victim: what an attacker does when it opens accounts with their address.
        directory.createContext("/v1/accounts/", exchange -> {
            String accountId = exchange.getRequestURI().getPath().substring("/v1/accounts/".length());
            byte[] body = ("{\"accountId\":\"" + accountId + "\",\"email\":\"victim@example.com\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        directory.start();
    }

    @AfterEach
    void stop() throws Exception {
        directory.stop(0);
        smtp.stop();
        postgres.close();
    }

    private EmailSinkTask task(int perAccount, int perAddress) {
        Map<String, String> config = new HashMap<>();
        config.put(SinkConfig.JDBC_URL, "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres");
        config.put(SinkConfig.JDBC_USER, "postgres");
        config.put(EmailConfig.SMTP_HOST, "127.0.0.1");
        config.put(EmailConfig.SMTP_PORT, String.valueOf(smtp.getSmtp().getPort()));
        config.put(EmailConfig.QUERY_API_URL, "http://127.0.0.1:" + directory.getAddress().getPort());
        config.put(EmailConfig.QUERY_API_KEY, "k");
        config.put(EmailConfig.REJECTIONS_PER_ACCOUNT_PER_HOUR, String.valueOf(perAccount));
        config.put(EmailConfig.REJECTIONS_PER_ADDRESS_PER_HOUR, String.valueOf(perAddress));
        EmailSinkTask task = new EmailSinkTask();
        task.start(config);
        return task;
    }

    private SinkRecord notification(String accountId, int n, PaymentStatus status) {
        Notification notification = Notification.newBuilder()
                .setNotificationId(String.format("00000000-0000-0000-0000-%012d", offset) + ":" + status + ":PAYER")
                .setAccountId(accountId).setRole(NotificationRole.PAYER)
                .setPaymentId(String.format("00000000-0000-0000-0000-%012d", offset)).setPaymentType(PaymentType.TRANSFER)
                .setStatus(status).setAmount(1 + n).setCurrency("USD").setCounterpartyId("somebody")
                .setReason(status == PaymentStatus.REJECTED ? RejectionReason.INSUFFICIENT_FUNDS : null)
                .setCreatedAtMs(1_000L * n).build();
        return new SinkRecord("payments.notifications.v1", 0, null, accountId, null, notification, offset++);
    }

    private Jdbi db() {
        return Jdbi.create(postgres.getPostgresDatabase());
    }

    @Test
    void rejectionEmailsStopAtTheAccountsAndTheAddresssAllowanceAndTheRestAreRecordedNotSent() throws Exception {
        EmailSinkTask task = task(3, 5);
        List<SinkRecord> spam = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            spam.add(notification("empty-1", i, PaymentStatus.REJECTED));
        }
        for (int i = 0; i < 10; i++) {
            spam.add(notification("empty-2", i, PaymentStatus.REJECTED));
        }
        SinkRecord completed = notification("empty-2", 99, PaymentStatus.COMPLETED);
        spam.add(completed);

        task.put(spam);
        task.put(spam); // a replay sends nothing that was throttled

        // 3 for empty-1 (its allowance), then 2 for empty-2 until the address's 5; the completed one is not throttled.
        // put() returns once the SMTP server accepted each message it sent, so nothing more is on its way.
        assertThat(smtp.getReceivedMessages()).hasSize(6);
        int throttled = db().withHandle(h -> h.createQuery("SELECT count(*) FROM email_messages WHERE throttled")
                .mapTo(Integer.class).one());
        assertThat(throttled).isEqualTo(15);
        assertThat(EmailSinkTask.Outcome.THROTTLED.counter().count()).isGreaterThanOrEqualTo(15);
        task.stop();
    }

    @Test
    void theSendLogKeepsEachEmailForItsRetentionOnly() throws Exception {
        EmailSinkTask task = task(3, 5);
        task.put(List.of(notification("kept", 1, PaymentStatus.COMPLETED), notification("old", 2,
                PaymentStatus.COMPLETED)));
        db().useHandle(h -> h.createUpdate("UPDATE email_messages SET sent_at = now() - interval '31 days' "
                + "WHERE account_id = 'old'").execute());
        task.stop();

        EmailSinkTask restarted = task(3, 5);
        restarted.put(List.of());

        List<String> left = db().withHandle(h -> h.createQuery("SELECT account_id FROM email_messages")
                .mapTo(String.class).list());
        assertThat(left).containsExactly("kept");
        restarted.stop();
    }
}
