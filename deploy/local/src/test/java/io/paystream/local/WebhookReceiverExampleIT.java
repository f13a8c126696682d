package io.paystream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paystream.webhooks.WebhookSignature;
import io.paystream.testing.FreePorts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The receiver the README shows ({@code examples/WebhookReceiver.java}), run as the README runs it, accepts what
 * PayStream signs and refuses a wrong secret, a changed body and an old timestamp; so the snippet users copy works.
 */
@ResourceLock(value = StackSlots.MACHINE, mode = ResourceAccessMode.READ)
class WebhookReceiverExampleIT {
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final String SECRET = "whsec_example";

    @Test
    void theReadmesReceiverVerifiesWhatPayStreamSignsAndNothingElse() throws Exception {
        int port = FreePorts.next();
        Process receiver = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "examples/WebhookReceiver.java", String.valueOf(port), SECRET).directory(ROOT.toFile())
                .redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(receiver.getInputStream(),
                StandardCharsets.UTF_8)).lines().forEach(output::add));
        reader.setDaemon(true);
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> output.stream().anyMatch(l -> l.startsWith("listening"))
                    || !receiver.isAlive());
            String body = "{\"id\":\"evt_1\",\"type\":\"payment.completed\"}";
            long now = System.currentTimeMillis() / 1000;
            HttpClient http = HttpClient.newHttpClient();
            assertThat(post(http, port, body, WebhookSignature.header(List.of(SECRET), now, body))).isEqualTo(204);
            assertThat(post(http, port, body, WebhookSignature.header(List.of("whsec_other", SECRET), now, body)))
                    .as("a rotation: the old secret's signature beside the new one").isEqualTo(204);
            assertThat(post(http, port, body, WebhookSignature.header(List.of("whsec_other"), now, body)))
                    .isEqualTo(400);
            assertThat(post(http, port, body + " ", WebhookSignature.header(List.of(SECRET), now, body)))
                    .isEqualTo(400);
            assertThat(post(http, port, body, WebhookSignature.header(List.of(SECRET), now - 301, body)))
                    .isEqualTo(400);
            // A replay with another PayStream-Event-Id header is still the same event: the header is not signed.
            assertThat(post(http, port, body, WebhookSignature.header(List.of(SECRET), now, body), "evt_forged"))
                    .isEqualTo(204);
            String another = "{\"id\":\"evt_2\",\"type\":\"payment.completed\"}";
            assertThat(post(http, port, another, WebhookSignature.header(List.of(SECRET), now, another), "evt_1"))
                    .isEqualTo(204);
            await().atMost(Duration.ofSeconds(5)).until(() -> output.size() >= 8);
            assertThat(output).contains("verified " + body, "duplicate " + body, "verified " + another);
            assertThat(output.stream().filter(line -> line.equals("verified " + body))).hasSize(1);
        } finally {
            receiver.destroyForcibly().waitFor();
        }
    }

    private static int post(HttpClient http, int port, String body, String signature) throws Exception {
        return post(http, port, body, signature, "evt_1");
    }

    private static int post(HttpClient http, int port, String body, String signature, String eventIdHeader)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hook"))
                .header(WebhookSignature.HEADER, signature).header(WebhookSignature.EVENT_ID_HEADER, eventIdHeader)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
