package io.paystream.sinks.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.paystream.sinks.SinkConfig;
import io.paystream.testing.FreePorts;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SMTP client against a real SMTP server (GreenMail, in-process). */
class MailerIT {
    private static Map<String, String> config(int port) {
        return Map.of(SinkConfig.JDBC_URL, "jdbc:postgresql://localhost:1/unused", EmailConfig.SMTP_HOST, "127.0.0.1",
                EmailConfig.SMTP_PORT, String.valueOf(port), EmailConfig.QUERY_API_URL, "http://127.0.0.1:1",
                EmailConfig.QUERY_API_KEY, "unused");
    }

    @Test
    void sendsAPlainTextMessageWithTheGivenMessageId() throws Exception {
        int port = FreePorts.next();
        GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            new Mailer(new EmailConfig(config(port))).send("alice@example.com", "You received 10.50 USD",
                    "Hello,\n\n10.50 USD arrived.\n", "<abc123@paystream.local>");
            assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
            MimeMessage message = smtp.getReceivedMessages()[0];
            assertThat(message.getSubject()).isEqualTo("You received 10.50 USD");
            assertThat(message.getMessageID()).isEqualTo("<abc123@paystream.local>");
            assertThat(message.getFrom()[0].toString()).isEqualTo("PayStream <notifications@paystream.local>");
            assertThat(message.getAllRecipients()[0].toString()).isEqualTo("alice@example.com");
            assertThat(GreenMailUtil.getBody(message)).contains("10.50 USD arrived.");
        } finally {
            smtp.stop();
        }
    }

    @Test
    void aDownServerIsAnErrorNotASilentLoss() throws Exception {
        Mailer mailer = new Mailer(new EmailConfig(config(FreePorts.next())));
        assertThatThrownBy(() -> mailer.send("alice@example.com", "s", "b", "<x@paystream.local>"))
                .isInstanceOf(MessagingException.class);
    }
}
