package io.paystream.sinks.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.WebhookEndpoint;
import io.paystream.schemas.avro.WebhookEndpointStatus;
import io.paystream.schemas.serde.AvroSerde;
import io.paystream.webhooks.WebhookEvent;
import io.paystream.webhooks.WebhookEvents;
import io.paystream.sinks.SinkConnectorConfigs;
import io.paystream.sinks.testing.StandaloneWorker;
import io.paystream.testing.InProcessKafka;
import io.paystream.testing.WebhookReceiver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the delivery worker mid-batch: a real Kafka Connect worker (ConnectStandalone, in its own JVM) runs the
 * webhook sink; it is killed while deliveries are in flight and started again on the same offsets. Every event must
 * still arrive, duplicates must carry the same event id, and each account's events must first arrive in order.
 */
class WebhookWorkerCrashIT {
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final int ACCOUNTS = 8;
    private static final int PAYMENTS = 120;

    private static InProcessKafka kafka;
    private static EmbeddedPostgres postgres;
    private static Path dir;

    static {
        AvroSerde.of(Notification.class);
    }

    @BeforeAll
    static void start() throws Exception {
        kafka = InProcessKafka.start();
        kafka.createTopics(3, Topics.NOTIFICATIONS.name(), Topics.WEBHOOK_ENDPOINTS.name(),
                Topics.WEBHOOK_DEAD_LETTERS.name());
        postgres = EmbeddedPostgres.builder().start();
        dir = Files.createTempDirectory("webhook-crash");
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The webhook sink in a Connect worker of its own JVM, resuming from the offsets in {@code dir}. */
    private static Process worker() throws IOException {
        Map<String, String> connector = new LinkedHashMap<>(SinkConnectorConfigs.webhooks(
                "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", kafka.bootstrapServers()));
        connector.put("name", "webhooks-crash");
        connector.put(WebhookConfig.ALLOW_LOOPBACK, "true");
        connector.put(WebhookConfig.RETRY_DELAYS, "200ms,200ms,500ms,1s,1s,1s");
        connector.put(WebhookConfig.REQUEST_TIMEOUT_MS, "2000");
        connector.put(WebhookConfig.POLL_INTERVAL_MS, "50");
        return StandaloneWorker.start(dir, kafka.bootstrapServers(), connector);
    }

    private static Notification completed(String account, String paymentId, long amount) {
        return Notification.newBuilder().setNotificationId(paymentId + ":COMPLETED:PAYER").setAccountId(account)
                .setRole(NotificationRole.PAYER).setPaymentId(paymentId).setPaymentType(PaymentType.TRANSFER)
                .setStatus(PaymentStatus.COMPLETED).setAmount(amount).setCurrency("USD").setCounterpartyId("x")
                .setCreatedAtMs(1_700_000_000_000L + amount).build();
    }

    @Test
    void killingTheWorkerMidBatchLosesNothingAndDuplicatesKeepTheirEventId() throws Exception {
        // Slow enough that the kill lands while the receiver holds requests it has not answered yet.
        WebhookReceiver receiver = new WebhookReceiver(n -> 200, 100);
        try {
            String secret = "whsec_" + UUID.randomUUID();
            receiver.secret(secret);
            WebhookEndpoint endpoint = WebhookEndpoint.newBuilder().setEndpointId("we_0123456789abcdef01234567")
                    .setClientId("crash").setAdmin(false).setOwnedAccountPrefixes(List.of("crash-"))
                    .setUrl(receiver.url()).setEvents(List.of()).setSecret(secret)
                    .setStatus(WebhookEndpointStatus.ENABLED).setCreatedAtMs(1).setUpdatedAtMs(1).build();
            kafka.produce(Topics.WEBHOOK_ENDPOINTS, List.of(Map.entry(endpoint.getEndpointId(), endpoint)));

            List<Map.Entry<String, Notification>> notifications = new ArrayList<>();
            Map<String, List<String>> expectedOrder = new LinkedHashMap<>();
            for (int i = 0; i < PAYMENTS; i++) {
                String account = "crash-" + (i % ACCOUNTS);
                Notification notification = completed(account, UUID.randomUUID().toString(), i + 1);
                notifications.add(Map.entry(account, notification));
                for (WebhookEvent event : WebhookEvents.of(notification)) {
                    expectedOrder.computeIfAbsent(account, a -> new ArrayList<>()).add(event.id());
                }
            }
            kafka.produce(Topics.NOTIFICATIONS, notifications);
            int expected = expectedOrder.values().stream().mapToInt(List::size).sum();

            Process first = worker();
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(10)).until(() -> !first.isAlive()
                    || (receiver.received().size() >= expected / 4 && receiver.inProgress() > 0));
            assertThat(first.isAlive()).as("the worker runs; see %s", dir.resolve("connect.log")).isTrue();
            first.destroyForcibly().waitFor(); // SIGKILL: no task stop, no offset flush, attempts left in flight
            int beforeRestart = receiver.received().size();
            assertThat(beforeRestart).isLessThan(expected);

            Process second = worker();
            try {
                await().atMost(SETTLE).until(() -> receiver.received().stream().map(WebhookReceiver.Received::eventId)
                        .collect(Collectors.toSet()).size() >= expected || !second.isAlive());
            } finally {
                second.destroyForcibly().waitFor();
            }
            List<WebhookReceiver.Received> received = receiver.received();
            Set<String> ids = received.stream().map(WebhookReceiver.Received::eventId).collect(Collectors.toSet());
            // What the receiver held unanswered at the kill was never recorded as delivered: it came again.
            assertThat(received.size()).as("requests, duplicates included").isGreaterThan(ids.size());
            assertThat(ids).as("every event arrived").containsExactlyInAnyOrderElementsOf(
                    expectedOrder.values().stream().flatMap(List::stream).toList());
            assertThat(received).allMatch(WebhookReceiver.Received::signatureValid)
                    .allMatch(r -> r.body().contains("\"id\":\"" + r.eventId() + "\""));
            // Each account's events first arrive in the order they happened, across the crash.
            for (Map.Entry<String, List<String>> account : expectedOrder.entrySet()) {
                Set<String> expectedIds = Set.copyOf(account.getValue());
                LinkedHashSet<String> firstArrivals = received.stream().map(WebhookReceiver.Received::eventId)
                        .filter(expectedIds::contains).collect(Collectors.toCollection(LinkedHashSet::new));
                assertThat(List.copyOf(firstArrivals)).as(account.getKey()).isEqualTo(account.getValue());
            }
            System.out.printf("webhook crash: %d events, %d received before the kill, %d requests in all "
                    + "(%d duplicates)%n", expected, beforeRestart, received.size(), received.size() - ids.size());
        } finally {
            receiver.close();
        }
    }
}
