package io.paystream.sinks.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.NotificationRole;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.WebhookEndpoint;
import io.paystream.schemas.avro.WebhookEndpointStatus;
import io.paystream.schemas.serde.AvroSerde;
import io.paystream.sinks.SinkConfig;
import io.paystream.testing.InProcessKafka;
import io.paystream.testing.WebhookReceiver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.sink.SinkRecord;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The webhook sink task against a real broker (the registrations and the DLQ), a real PostgreSQL (the queue) and real
 * HTTP receivers that verify signatures. Each test uses its own accounts and endpoints, so they share one broker and
 * one database.
 */
class WebhookDeliveryIT {
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static InProcessKafka kafka;
    private static EmbeddedPostgres postgres;

    static {
        AvroSerde.of(Notification.class);
    }

    private final List<WebhookSinkTask> tasks = new ArrayList<>();
    private final List<WebhookReceiver> receivers = new ArrayList<>();
    private long offset;

    @BeforeAll
    static void start() throws Exception {
        kafka = InProcessKafka.start();
        kafka.createTopics(3, Topics.WEBHOOK_ENDPOINTS.name(), Topics.WEBHOOK_DEAD_LETTERS.name());
        postgres = EmbeddedPostgres.builder().start();
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

    @AfterEach
    void stopTasks() {
        tasks.forEach(WebhookSinkTask::stop);
        receivers.forEach(WebhookReceiver::close);
    }

    private Map<String, String> config(String retryDelays, long timeoutMs, boolean allowLoopback) {
        Map<String, String> config = new HashMap<>();
        config.put("name", "webhooks-it-" + UUID.randomUUID());
        config.put(SinkConfig.JDBC_URL, "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres");
        config.put(SinkConfig.JDBC_USER, "postgres");
        config.put(WebhookConfig.KAFKA_PREFIX + "bootstrap.servers", kafka.bootstrapServers());
        config.put(WebhookConfig.RETRY_DELAYS, retryDelays);
        config.put(WebhookConfig.REQUEST_TIMEOUT_MS, Long.toString(timeoutMs));
        config.put(WebhookConfig.ALLOW_LOOPBACK, Boolean.toString(allowLoopback));
        config.put(WebhookConfig.POLL_INTERVAL_MS, "50");
        return config;
    }

    private WebhookSinkTask task(Map<String, String> config) {
        WebhookSinkTask task = new WebhookSinkTask();
        task.start(config);
        tasks.add(task);
        return task;
    }

    private WebhookReceiver receiver(WebhookReceiver receiver) {
        receivers.add(receiver);
        return receiver;
    }

    private static Jdbi jdbi() {
        return Jdbi.create("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", "postgres", "");
    }

    /** Registers an endpoint as the ingress would, and points the receiver's verification at its secret. */
    private static WebhookEndpoint register(WebhookReceiver receiver, String clientId, List<String> prefixes,
            boolean admin, List<String> events) throws Exception {
        return register(receiver.url(), receiver, clientId, prefixes, admin, events);
    }

    private static WebhookEndpoint register(String url, WebhookReceiver receiver, String clientId, List<String> prefixes,
            boolean admin, List<String> events) throws Exception {
        String secret = "whsec_" + UUID.randomUUID();
        WebhookEndpoint endpoint = WebhookEndpoint.newBuilder()
                .setEndpointId("we_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24))
                .setClientId(clientId).setAdmin(admin).setOwnedAccountPrefixes(prefixes).setUrl(url)
                .setEvents(events).setSecret(secret).setStatus(WebhookEndpointStatus.ENABLED)
                .setCreatedAtMs(System.currentTimeMillis()).setUpdatedAtMs(System.currentTimeMillis()).build();
        kafka.produce(Topics.WEBHOOK_ENDPOINTS, List.of(Map.entry(endpoint.getEndpointId(), endpoint)));
        if (receiver != null) {
            receiver.secret(secret);
        }
        return endpoint;
    }

    private static Notification completed(String account, NotificationRole role, String paymentId, long amount) {
        return Notification.newBuilder().setNotificationId(paymentId + ":COMPLETED:" + role).setAccountId(account)
                .setRole(role).setPaymentId(paymentId).setPaymentType(PaymentType.TRANSFER)
                .setStatus(PaymentStatus.COMPLETED).setAmount(amount).setCurrency("USD")
                .setCounterpartyId("someone").setCreatedAtMs(System.currentTimeMillis()).build();
    }

    private List<SinkRecord> records(Notification... notifications) {
        List<SinkRecord> records = new ArrayList<>();
        for (Notification notification : notifications) {
            records.add(new SinkRecord(Topics.NOTIFICATIONS.name(), 0, null, notification.getAccountId(), null,
                    notification, offset++));
        }
        return records;
    }

    private static long amountOf(WebhookReceiver.Received received) {
        try {
            return new ObjectMapper().readTree(received.body()).at("/data/amount").asLong();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyEventArrivesSignedInOrderOnlyAtTheEndpointsOfItsAccountsOwner() throws Exception {
        WebhookReceiver acme = receiver(WebhookReceiver.answering(200));
        WebhookReceiver globex = receiver(WebhookReceiver.answering(204));
        WebhookReceiver operator = receiver(WebhookReceiver.answering(200));
        register(acme, "acme", List.of("acme-"), false, List.of());
        register(globex, "globex", List.of("globex-"), false, List.of("account.credited"));
        register(operator, "ops", List.of(), true, List.of("payment.completed"));
        WebhookSinkTask task = task(config("100ms", 2_000, true));

        List<Notification> acmePayments = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            acmePayments.add(completed("acme-1", NotificationRole.PAYER, UUID.randomUUID().toString(), i));
        }
        List<SinkRecord> batch = records(acmePayments.toArray(Notification[]::new));
        batch.addAll(records(completed("globex-1", NotificationRole.PAYEE, UUID.randomUUID().toString(), 500)));
        task.put(batch);

        await().atMost(SETTLE).until(() -> acme.received().size() >= 40 && globex.received().size() >= 1
                && operator.received().size() >= 21);
        // acme: both events of each of its 20 payments, in the order they happened, every one signed.
        assertThat(acme.received()).allMatch(WebhookReceiver.Received::signatureValid)
                .allMatch(r -> r.body().contains("\"id\":\"" + r.eventId() + "\""))
                .noneMatch(r -> r.body().contains("globex-"));
        assertThat(acme.received().stream().filter(r -> r.eventType().equals("account.debited"))
                .map(WebhookDeliveryIT::amountOf).toList())
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
        assertThat(acme.received().stream().map(WebhookReceiver.Received::eventId).distinct()).hasSize(40);
        // globex subscribed to account.credited only; the operator (admin) to payment.completed of every account.
        assertThat(globex.received()).singleElement().satisfies(r -> {
            assertThat(r.eventType()).isEqualTo("account.credited");
            assertThat(r.signatureValid()).isTrue();
        });
        assertThat(operator.received()).hasSize(21).allMatch(r -> r.eventType().equals("payment.completed"))
                .allMatch(WebhookReceiver.Received::signatureValid);

        // Connect redelivering the batch (a restart before its offsets were committed) queues nothing again.
        task.put(batch);
        Thread.sleep(1_000);
        assertThat(acme.received()).hasSize(40);
        assertThat(operator.received()).hasSize(21);
    }

    @Test
    void aReceiverThatFailsFiveTimesGetsTheEventOnceItRecoversAndTheNextOnlyAfterIt() throws Exception {
        WebhookReceiver flaky = receiver(new WebhookReceiver(n -> n <= 5 ? 503 : 200, 0));
        WebhookEndpoint endpoint = register(flaky, "flaky", List.of("flaky-"), false, List.of("account.debited"));
        WebhookSinkTask task = task(config("100ms,100ms,200ms,200ms,300ms,300ms", 2_000, true));

        task.put(records(completed("flaky-1", NotificationRole.PAYER, UUID.randomUUID().toString(), 1),
                completed("flaky-1", NotificationRole.PAYER, UUID.randomUUID().toString(), 2)));

        await().atMost(SETTLE).until(() -> flaky.received().size() >= 7);
        List<WebhookReceiver.Received> received = flaky.received();
        // The first event six times (five refusals, then 200), with one id; only then the second event.
        assertThat(received.subList(0, 6)).extracting(WebhookReceiver.Received::eventId).containsOnly(
                received.get(0).eventId());
        assertThat(received.subList(0, 6)).extracting(WebhookReceiver.Received::attemptHeader)
                .containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(received.subList(0, 6)).extracting(WebhookDeliveryIT::amountOf).containsOnly(1L);
        assertThat(received.get(6).eventId()).isNotEqualTo(received.get(0).eventId());
        assertThat(amountOf(received.get(6))).isEqualTo(2);
        assertThat(received).allMatch(WebhookReceiver.Received::signatureValid);
        await().atMost(SETTLE).until(() -> jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM "
                + "webhook_deliveries WHERE endpoint_id = :e AND state = 'DELIVERED'")
                .bind("e", endpoint.getEndpointId()).mapTo(Integer.class).one()) == 2);
        List<String> attempts = jdbi().withHandle(h -> h.createQuery("""
                SELECT a.outcome || ':' || coalesce(a.status_code, 0) FROM webhook_attempts a
                JOIN webhook_deliveries d USING (delivery_id)
                WHERE d.endpoint_id = :e AND d.event_id = :id ORDER BY a.attempt""")
                .bind("e", endpoint.getEndpointId()).bind("id", received.get(0).eventId()).mapTo(String.class)
                .list());
        assertThat(attempts).containsExactly("FAILED:503", "FAILED:503", "FAILED:503", "FAILED:503", "FAILED:503",
                "SUCCEEDED:200");
    }

    @Test
    void aReceiverThatNeverAnswersDoesNotDelayAnotherEndpoint() throws Exception {
        WebhookReceiver hung = receiver(new WebhookReceiver(n -> 200, 60_000));
        WebhookReceiver healthy = receiver(WebhookReceiver.answering(200));
        register(hung, "slowpoke", List.of("shared-"), false, List.of("account.debited"));
        register(healthy, "speedy", List.of("shared-"), false, List.of("account.debited"));
        WebhookSinkTask task = task(config("1s,1s,1s", 3_000, true));

        List<Notification> notifications = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            // Thirty accounts: the hung endpoint could hold thirty requests in flight if nothing bounded it.
            notifications.add(completed("shared-" + i, NotificationRole.PAYER, UUID.randomUUID().toString(), 7));
        }
        long started = System.nanoTime();
        task.put(records(notifications.toArray(Notification[]::new)));

        // Were the healthy endpoint behind the hung one, thirty 3 s timeouts (ten rounds of its four slots) would
        // pass before it got everything.
        await().atMost(Duration.ofSeconds(10)).until(() -> healthy.received().size() >= 30);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(hung.received().size()).as("requests ever in flight to the hung endpoint")
                .isLessThanOrEqualTo(4);
    }

    @Test
    void anEventThatExhaustsItsAttemptsIsDeadLetteredAndItsEndpointDisabled() throws Exception {
        WebhookReceiver broken = receiver(WebhookReceiver.answering(500));
        WebhookEndpoint endpoint = register(broken, "broken", List.of("broken-"), false, List.of("account.credited"));
        WebhookSinkTask task = task(config("100ms,100ms", 2_000, true));
        Notification first = completed("broken-1", NotificationRole.PAYEE, UUID.randomUUID().toString(), 9);

        task.put(records(first));

        await().atMost(SETTLE).until(() -> broken.received().size() >= 3);
        try (var reader = kafka.reader(Topics.WEBHOOK_DEAD_LETTERS)) {
            await().atMost(SETTLE).until(() -> !reader.records().isEmpty() && reader.records().stream()
                    .anyMatch(r -> endpoint.getEndpointId().equals(new String(r.key(), StandardCharsets.UTF_8))));
            ConsumerRecord<byte[], byte[]> dead = reader.records().stream()
                    .filter(r -> endpoint.getEndpointId().equals(new String(r.key(), StandardCharsets.UTF_8)))
                    .findFirst().orElseThrow();
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo(broken.received().get(0).body());
            assertThat(new String(dead.headers().lastHeader("paystream.webhook.attempts").value(),
                    StandardCharsets.UTF_8)).isEqualTo("3");
            assertThat(new String(dead.headers().lastHeader("paystream.webhook.error").value(),
                    StandardCharsets.UTF_8)).contains("500");
        }
        assertThat(broken.received()).hasSize(3);
        try (var reader = kafka.reader(Topics.WEBHOOK_ENDPOINTS)) {
            await().atMost(SETTLE).until(() -> reader.values().stream().anyMatch(e -> e != null
                    && e.getEndpointId().equals(endpoint.getEndpointId())
                    && e.getStatus() == WebhookEndpointStatus.DISABLED && e.getDisabledReason().contains("500")));
        }
        // A disabled endpoint gets nothing new.
        task.put(records(completed("broken-1", NotificationRole.PAYEE, UUID.randomUUID().toString(), 10)));
        Thread.sleep(1_000);
        assertThat(broken.received()).hasSize(3);
        List<String> states = jdbi().withHandle(h -> h.createQuery("SELECT state FROM webhook_deliveries "
                + "WHERE endpoint_id = :e").bind("e", endpoint.getEndpointId()).mapTo(String.class).list());
        assertThat(states).containsExactly("DEAD");
    }

    @Test
    void deletingAnEndpointCancelsWhatWasStillToBeSentToIt() throws Exception {
        WebhookReceiver failing = receiver(WebhookReceiver.answering(503));
        WebhookEndpoint endpoint = register(failing, "leaving", List.of("leaving-"), false, List.of("account.debited"));
        WebhookSinkTask task = task(config("2s", 2_000, true));

        task.put(records(completed("leaving-1", NotificationRole.PAYER, UUID.randomUUID().toString(), 5)));
        await().atMost(SETTLE).until(() -> failing.received().size() == 1);
        kafka.produce(Topics.WEBHOOK_ENDPOINTS, java.util.Collections.singletonList(
                new java.util.AbstractMap.SimpleEntry<>(endpoint.getEndpointId(), (WebhookEndpoint) null)));

        await().atMost(SETTLE).until(() -> jdbi().withHandle(h -> h.createQuery("SELECT state FROM "
                + "webhook_deliveries WHERE endpoint_id = :e").bind("e", endpoint.getEndpointId())
                .mapTo(String.class).one()).equals("CANCELLED"));
        assertThat(failing.received()).hasSize(1);
    }

    @Test
    void urlsThatReachInternalAddressesAreRefusedAtDeliveryToo() throws Exception {
        // Registered by a producer that skipped the ingress's check, or whose DNS changed since: never called.
        WebhookReceiver local = receiver(WebhookReceiver.answering(200));
        WebhookEndpoint loopback = register(local, "sneaky", List.of("sneaky-"), false, List.of());
        WebhookEndpoint metadata = register("http://169.254.169.254/latest/meta-data", null, "sneaky",
                List.of("sneaky-"), false, List.of());
        WebhookSinkTask task = task(config("100ms", 2_000, false));

        task.put(records(completed("sneaky-1", NotificationRole.PAYER, UUID.randomUUID().toString(), 1)));

        // Two events (payment.completed, account.debited) for each endpoint, all dead-lettered unsent.
        await().atMost(SETTLE).until(() -> jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM "
                + "webhook_deliveries WHERE endpoint_id IN (:a, :b) AND state = 'DEAD'")
                .bind("a", loopback.getEndpointId()).bind("b", metadata.getEndpointId()).mapTo(Integer.class)
                .one()) == 4);
        assertThat(local.received()).isEmpty();
        List<String> errors = jdbi().withHandle(h -> h.createQuery("SELECT DISTINCT a.error FROM webhook_attempts a "
                + "JOIN webhook_deliveries d USING (delivery_id) WHERE d.endpoint_id IN (:a, :b)")
                .bind("a", loopback.getEndpointId()).bind("b", metadata.getEndpointId()).mapTo(String.class)
                .list());
        assertThat(errors).anyMatch(error -> error.contains("resolves to 127.0.0.1, a loopback address"))
                .anyMatch(error -> error.contains("resolves to 169.254.169.254, a link-local address"))
                .allMatch(error -> error.contains("resolves to"));
    }
}
