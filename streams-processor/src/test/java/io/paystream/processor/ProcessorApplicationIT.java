package io.paystream.processor;

import static io.paystream.processor.testing.Fixtures.aLeg;
import static io.paystream.processor.testing.Fixtures.aTopUp;
import static io.paystream.processor.testing.Fixtures.aTransfer;
import static io.paystream.processor.testing.Fixtures.aWithdrawal;
import static io.paystream.processor.testing.Fixtures.anAccountCommand;
import static io.paystream.processor.testing.Fixtures.anAccountRequest;
import static io.paystream.processor.testing.Fixtures.anOpen;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.paystream.processor.ledger.LedgerTopology;
import io.paystream.processor.status.PaymentStatusTopology;
import io.paystream.processor.testing.ProcessorUnderTest;
import io.paystream.testing.InProcessKafka;
import io.paystream.testing.LedgerInvariants;
import io.paystream.schemas.Topics;
import io.paystream.web.config.PayStreamConfiguration;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountStatus;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real processor application (Dropwizard, Kafka Streams with exactly_once_v2) against a real in-process KRaft
 * broker. Inputs are produced with a plain producer; outputs are read with read_committed consumers, so only
 * committed transactions count.
 */
class ProcessorApplicationIT {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final int QUERY_RATE = 20;
    private static InProcessKafka kafka;
    private static DropwizardTestSupport<ProcessorConfiguration> app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startBrokerAndProcessor() throws Exception {
        kafka = InProcessKafka.start();
        // A per-key limit low enough for one test to reach, high enough for the others' few queries.
        app = ProcessorUnderTest.on(kafka.bootstrapServers(),
                ConfigOverride.config("rateLimit.requestsPerSecond", String.valueOf(QUERY_RATE)),
                ConfigOverride.config("rateLimit.burst", String.valueOf(QUERY_RATE)));
        app.before();
        await().atMost(SETTLE).until(() -> app.<ProcessorApplication>getApplication().streams().state()
                == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.after();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void createsTheTopicsWithTheConfiguredPartitionsAndAnEverlastingJournal() throws Exception {
        var descriptions = kafka.admin().describeTopics(Topics.ALL.stream().map(t -> t.name()).toList())
                .allTopicNames().get();
        assertThat(descriptions).hasSize(Topics.ALL.size());
        descriptions.values().forEach(d -> assertThat(d.partitions()).as(d.name()).hasSize(3));
        ConfigResource audit = new ConfigResource(ConfigResource.Type.TOPIC, Topics.AUDIT.name());
        ConfigEntry retention = kafka.admin().describeConfigs(List.of(audit)).all().get().get(audit)
                .get("retention.ms");
        assertThat(retention.value()).isEqualTo("-1");
        // A replay re-decides history from the requests and the acquirer's answers: they never expire either.
        for (String topic : List.of(Topics.PAYMENT_REQUESTS.name(), Topics.ACCOUNT_REQUESTS.name(),
                Topics.ACQUIRER_RESULTS.name())) {
            ConfigResource requests = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            assertThat(kafka.admin().describeConfigs(List.of(requests)).all().get().get(requests).get("retention.ms")
                    .value()).as(topic).isEqualTo("-1");
        }
    }

    @Test
    void movesMoneyExactlyOnceAndKeepsEveryInvariant() throws Exception {
        kafka.produce(Topics.ACCOUNT_REQUESTS, List.of(
                account(anOpen("it-alice", "USD", AccountType.CUSTOMER).build()),
                account(anOpen("it-bob", "USD", AccountType.CUSTOMER).build())));
        PaymentRequest topUp = aTopUp("it-alice", 1_000).build();
        PaymentRequest transfer = aTransfer("it-alice", "it-bob", 300).build();
        PaymentRequest withdrawal = aWithdrawal("it-bob", 100).build();
        PaymentRequest overdraw = aWithdrawal("it-bob", 10_000).build();
        PaymentRequest toNobody = aTransfer("it-alice", "it-nobody", 50).build();
        // Accounts must exist before money moves; they live on other partitions, so wait for them.
        await().atMost(SETTLE).until(() -> account("it-alice") != null && account("it-bob") != null);
        kafka.produce(Topics.PAYMENT_REQUESTS, List.of(payment(topUp), payment(topUp)));
        await().atMost(SETTLE).until(() -> isFinal(topUp));
        kafka.produce(Topics.PAYMENT_REQUESTS, List.of(payment(transfer), payment(transfer), payment(toNobody)));
        await().atMost(SETTLE).until(() -> isFinal(transfer) && isFinal(toNobody));
        kafka.produce(Topics.PAYMENT_REQUESTS, List.of(payment(withdrawal), payment(overdraw)));
        await().atMost(SETTLE).until(() -> isFinal(withdrawal) && isFinal(overdraw));

        assertThat(payment(topUp.getPaymentId()).getStatus()).isEqualTo(PaymentStatus.COMPLETED);
        assertThat(payment(transfer.getPaymentId()).getStatus()).isEqualTo(PaymentStatus.COMPLETED);
        assertThat(payment(withdrawal.getPaymentId()).getStatus()).isEqualTo(PaymentStatus.COMPLETED);
        assertThat(payment(overdraw.getPaymentId()).getReason()).isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
        assertThat(payment(toNobody.getPaymentId()).getStatus()).isEqualTo(PaymentStatus.REVERSED);
        assertThat(account("it-alice").getBalance()).isEqualTo(700);
        assertThat(account("it-bob").getBalance()).isEqualTo(200);

        List<String> ours = List.of(topUp, transfer, withdrawal, overdraw, toNobody).stream()
                .map(PaymentRequest::getPaymentId).toList();
        try (var events = kafka.reader(Topics.PAYMENT_EVENTS); var audits = kafka.reader(Topics.AUDIT)) {
            List<PaymentEvent> committedEvents = new ArrayList<>();
            await().atMost(SETTLE).until(() -> {
                committedEvents.clear();
                committedEvents.addAll(events.values().stream().filter(e -> ours.contains(e.getPaymentId()))
                        .toList());
                return committedEvents.stream().filter(e -> e.getStatus() != PaymentStatus.ACCEPTED).count() == 5;
            });
            List<AuditRecord> committedAudits = audits.values().stream()
                    .filter(a -> a.getAccountId().startsWith("it-")).toList();
            List<AccountState> accounts = List.of(account("it-alice"), account("it-bob"));
            assertThat(LedgerInvariants.violations(committedEvents, committedAudits, accounts,
                    id -> payment(id) == null ? null : payment(id).getStatus()))
                    .isEmpty();
        }
    }

    @Test
    void deadLettersUndecodableRecordsWithErrorHeadersAndKeepsProcessing() throws Exception {
        byte[] poison = "not avro at all".getBytes(StandardCharsets.UTF_8);
        kafka.produceRaw(Topics.PAYMENT_REQUESTS.name(), "poison".getBytes(StandardCharsets.UTF_8), poison);
        kafka.produce(Topics.ACCOUNT_REQUESTS, List.of(account(anOpen("it-carol", "EUR", AccountType.CUSTOMER)
                .build())));
        await().atMost(SETTLE).until(() -> account("it-carol") != null);

        try (var deadLetters = kafka.reader(Topics.DEAD_LETTERS)) {
            List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
            await().atMost(SETTLE).until(() -> {
                found.clear();
                deadLetters.records().stream().filter(r -> java.util.Arrays.equals(r.value(), poison))
                        .forEach(found::add);
                return !found.isEmpty();
            });
            ConsumerRecord<byte[], byte[]> deadLetter = found.get(0);
            assertThat(header(deadLetter, "__streams.errors.exception"))
                    .isEqualTo("org.apache.kafka.common.errors.SerializationException");
            assertThat(header(deadLetter, "__streams.errors.message")).contains("cannot decode PaymentRequest");
            assertThat(header(deadLetter, "__streams.errors.topic")).isEqualTo(Topics.PAYMENT_REQUESTS.name());
            assertThat(header(deadLetter, "__streams.errors.partition")).matches("[0-2]");
            assertThat(header(deadLetter, "__streams.errors.offset")).matches("\\d+");
        }
        // Operators read the same record through the query API, newest first, with its headers; admin only.
        HttpResponse<String> listed = query("/v1/dead-letters?topic=payments.dlq.v1&limit=10", "local-dev-key");
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode poisoned = null;
        for (com.fasterxml.jackson.databind.JsonNode record : JSON.readTree(listed.body()).get("records")) {
            if ("not avro at all".equals(record.get("value").asText())) {
                poisoned = record;
            }
        }
        assertThat(poisoned).as(listed.body()).isNotNull();
        assertThat(poisoned.get("key").asText()).isEqualTo("poison");
        assertThat(poisoned.get("headers").get("__streams.errors.message").asText())
                .contains("cannot decode PaymentRequest");
        assertThat(query("/v1/dead-letters", "acme-key").statusCode()).isEqualTo(403);
        assertThat(query("/v1/dead-letters?topic=payments.events.v1", "local-dev-key").statusCode()).isEqualTo(422);
        HttpResponse<String> connectDlq = query("/v1/dead-letters?topic=paystream.sinks.dlq.v1", "local-dev-key");
        assertThat(connectDlq.statusCode()).as("a topic that does not exist yet").isEqualTo(200);
        assertThat(JSON.readTree(connectDlq.body()).get("records")).isEmpty();
        assertThat(app.<ProcessorApplication>getApplication().streams().state())
                .isEqualTo(KafkaStreams.State.RUNNING);
    }

    @Test
    void servesHealthAndPrometheusMetricsOnTheAdminPort() throws Exception {
        kafka.produce(Topics.ACCOUNT_REQUESTS, List.of(account(anOpen("it-dave", "GBP", AccountType.CUSTOMER)
                .build())));
        PaymentRequest topUp = aTopUp("it-dave", 42).setCurrency("GBP").build();
        await().atMost(SETTLE).until(() -> account("it-dave") != null);
        kafka.produce(Topics.PAYMENT_REQUESTS, List.of(payment(topUp)));
        await().atMost(SETTLE).until(() -> isFinal(topUp));

        HttpResponse<String> health = get("/healthcheck");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"kafka-streams\"").contains("RUNNING");

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("paystream_payments_total{currency=\"GBP\",reason=\"none\",status=\"COMPLETED\","
                        + "type=\"TOPUP\"} 1.0")
                .contains("paystream_payment_amount_minor_units_sum{currency=\"GBP\",type=\"TOPUP\"} 42.0")
                .contains("paystream_payment_e2e_latency_seconds_bucket")
                .contains("kafka_stream_thread_")
                // The query API has the per-key and per-address limits too (web-common's RateLimitFactory).
                .containsPattern("paystream_query_rate_limited_total\\{limit=\"key\"} [0-9.]+")
                .contains("paystream_query_rate_limited_total{limit=\"address\"} 0.0")
                .contains("jvm_memory_used_bytes");
        // Kafka Streams 4.4.0's transactional stores have an uncommitted-bytes gauge whose read from another thread
        // can crash the JVM (ManagedKafkaStreams.WithoutUncommittedBytes). The stores have it; nothing outside the
        // stream thread is given it: not the client's metrics(), which Micrometer's binder reads, nor the scrape.
        KafkaStreams streams = app.<ProcessorApplication>getApplication().streams().streams();
        assertThat(streams).isInstanceOf(KafkaStreams.class);
        assertThat(streams.metrics().keySet()).isNotEmpty()
                .noneSatisfy(name -> assertThat(name.name()).contains("uncommitted"));
        assertThat(metrics.body()).doesNotContain("uncommitted");
    }

    @Test
    void refusesAnAccountCommandWithoutMovingMoney() throws Exception {
        AccountRequest closeUnknown = anAccountRequest(AccountCommandType.CLOSE, "it-ghost").build();
        kafka.produce(Topics.ACCOUNT_REQUESTS, List.of(account(closeUnknown)));
        try (var audits = kafka.reader(Topics.AUDIT)) {
            await().atMost(SETTLE).until(() -> audits.values().stream().anyMatch(a ->
                    a.getAccountId().equals("it-ghost") && a.getReason() == RejectionReason.ACCOUNT_NOT_FOUND));
        }
        assertThat(account("it-ghost")).isNull();
    }

    /**
     * Issue 13: an empty account closed while its debit is still in flight. The debit and the CLOSE are one batch on
     * the payer's partition, so the ledger applies the debit (leaving 0), then the CLOSE, while the credit to a frozen
     * payee, on another partition, is yet to fail and send the money back. Closing at once stranded that reversal in a
     * closed account; the CLOSE now waits for every ledger partition to answer its probe, and is refused because the
     * money came back.
     */
    @Test
    void anAccountClosedWhileItsDebitIsInFlightKeepsTheMoneyThatCameBack() throws Exception {
        kafka.produce(Topics.ACCOUNT_REQUESTS, List.of(
                account(anOpen("it-closer", "USD", AccountType.CUSTOMER).build()),
                account(anOpen("it-frozen", "USD", AccountType.CUSTOMER).build()),
                account(anAccountRequest(AccountCommandType.FREEZE, "it-frozen").build())));
        await().atMost(SETTLE).until(() -> account("it-closer") != null && account("it-frozen") != null
                && account("it-frozen").getStatus() == AccountStatus.FROZEN);
        PaymentRequest topUp = aTopUp("it-closer", 500).build();
        kafka.produce(Topics.PAYMENT_REQUESTS, List.of(payment(topUp)));
        await().atMost(SETTLE).until(() -> account("it-closer").getBalance() == 500);

        LedgerCommand debit = aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER, "it-closer", "it-frozen", 500)
                .build();
        LedgerCommand close = anAccountCommand(LedgerCommandType.CLOSE, "it-closer").build();
        kafka.produce(Topics.LEDGER, List.of(Map.entry("it-closer", debit), Map.entry("it-closer", close)));
        await().atMost(SETTLE).until(() -> isFinalId(debit.getPaymentId())
                && account("it-closer").getClosing() == null);

        assertThat(payment(debit.getPaymentId()).getStatus()).isEqualTo(PaymentStatus.REVERSED);
        assertThat(account("it-closer").getStatus()).isEqualTo(AccountStatus.ACTIVE);
        assertThat(account("it-closer").getBalance()).isEqualTo(500);
        try (var audits = kafka.reader(Topics.AUDIT)) {
            await().atMost(SETTLE).until(() -> audits.values().stream().anyMatch(a -> a.getAccountId()
                    .equals("it-closer") && a.getKind() == AuditKind.REJECTION && a.getDetail() != null
                    && a.getDetail().contains("after the payments in flight settled")));
        }

        // Emptied, it closes once all three partitions have answered.
        PaymentRequest emptying = aWithdrawal("it-closer", 500).build();
        kafka.produce(Topics.PAYMENT_REQUESTS, List.of(payment(emptying)));
        await().atMost(SETTLE).until(() -> account("it-closer").getBalance() == 0);
        kafka.produce(Topics.ACCOUNT_REQUESTS, List.of(account(anAccountRequest(AccountCommandType.CLOSE,
                "it-closer").build())));
        await().atMost(SETTLE).until(() -> account("it-closer").getStatus() == AccountStatus.CLOSED);
        assertThat(account("it-closer").getClosing()).isNull();
    }

    @Test
    void servesAccountsAndPaymentsThroughTheQueryApi() throws Exception {
        kafka.produce(Topics.ACCOUNT_REQUESTS, List.of(account(anOpen("acme-q", "USD", AccountType.MERCHANT).build())));
        await().atMost(SETTLE).until(() -> account("acme-q") != null);
        PaymentRequest topUp = aTopUp("acme-q", 250).build();
        kafka.produce(Topics.PAYMENT_REQUESTS, List.of(payment(topUp)));
        await().atMost(SETTLE).until(() -> isFinal(topUp));

        HttpResponse<String> account = query("/v1/accounts/acme-q", "acme-key");
        assertThat(account.statusCode()).as(account.body()).isEqualTo(200);
        assertThat(account.body()).isEqualTo("{\"accountId\":\"acme-q\",\"currency\":\"USD\",\"type\":\"MERCHANT\","
                + "\"status\":\"ACTIVE\",\"balance\":250,\"available\":250,\"held\":0,\"entrySeq\":1}");
        HttpResponse<String> payment = query("/v1/payments/" + topUp.getPaymentId(), "acme-key");
        assertThat(payment.statusCode()).as(payment.body()).isEqualTo(200);
        assertThat(payment.body()).startsWith("{\"paymentId\":\"" + topUp.getPaymentId() + "\",\"type\":\"TOPUP\","
                + "\"from\":null,\"to\":\"acme-q\",\"amount\":250,\"currency\":\"USD\",\"status\":\"COMPLETED\","
                + "\"reason\":null,\"createdAt\":\"").contains("\"updatedAt\":\"");

        assertThat(query("/v1/accounts/acme-nobody", "acme-key").statusCode()).isEqualTo(404);
        assertThat(query("/v1/payments/" + java.util.UUID.randomUUID(), "acme-key").statusCode()).isEqualTo(404);
        HttpResponse<String> foreign = query("/v1/accounts/it-alice", "acme-key");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.body()).contains("\"code\":\"account_not_owned\"");
        assertThat(query("/v1/accounts/acme-q", "wrong-key").statusCode()).isEqualTo(401);
        // Never from the URL, where a key leaks into logs: Dropwizard's OAuth filter would take ?access_token=.
        HttpResponse<String> keyInUrl = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + app.getLocalPort() + "/v1/accounts/acme-q?access_token=local-dev-key")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(keyInUrl.statusCode()).as(keyInUrl.body()).isEqualTo(401);
        HttpResponse<String> noHistory = query("/v1/accounts/acme-q/entries", "acme-key");
        assertThat(noHistory.statusCode()).isEqualTo(503);
        assertThat(noHistory.body()).contains("\"code\":\"history_unavailable\"").contains("none configured");

        // The ingress's own service:read key reads any account and payment for its checks, and nothing of the
        // operators': it is not admin.
        String service = PayStreamConfiguration.LOCAL_INGRESS_QUERY_KEY;
        assertThat(query("/v1/accounts/acme-q", service).statusCode()).isEqualTo(200);
        assertThat(query("/v1/accounts/it-alice", service).statusCode()).isIn(200, 404);
        assertThat(query("/v1/payments/" + topUp.getPaymentId(), service).statusCode()).isEqualTo(200);
        for (String adminOnly : List.of("/v1/dead-letters", "/v1/pipeline", "/v1/simulator")) {
            assertThat(query(adminOnly, service).statusCode()).as(adminOnly).isEqualTo(403);
        }
        assertThat(JSON.readTree(query("/v1/me", service).body()).get("admin").asBoolean()).isFalse();
    }

    /** The query API limits each key like the ingress: 429 with Retry-After past the bucket, other keys unaffected. */
    @Test
    void aKeyOverItsQueryRateGets429WithRetryAfter() throws Exception {
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 3 * QUERY_RATE; i++) {
            answers.add(query("/v1/accounts/globex-rate", "globex-reader-key"));
        }

        assertThat(answers).extracting(HttpResponse::statusCode).contains(404, 429);
        HttpResponse<String> limited = answers.stream().filter(a -> a.statusCode() == 429).findFirst().orElseThrow();
        assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Long.parseLong(seconds)).isPositive());
        assertThat(limited.body()).contains("\"code\":\"rate_limited\"");
        assertThat(query("/v1/accounts/acme-rate", "acme-key").statusCode()).as("another key's bucket").isEqualTo(404);
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + app.getAdminPort() + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).containsPattern("paystream_query_rate_limited_total\\{limit=\"key\"} [1-9]");
    }

    /**
     * The console's read APIs: {@code /v1/me} tells a key what it may do, {@code /v1/pipeline} (admin) shows the
     * instances, the group's lag and the dead-letter topics; the simulator is admin only, checks its bounds, and is
     * off on a processor without {@code console.ingressUrl}, saying so. The console's page itself is served here.
     */
    @Test
    void servesTheConsoleAndItsOperatorApis() throws Exception {
        com.fasterxml.jackson.databind.JsonNode acme = JSON.readTree(query("/v1/me", "acme-key").body());
        assertThat(acme.get("clientId").asText()).isEqualTo("acme");
        assertThat(acme.get("admin").asBoolean()).isFalse();
        assertThat(acme.get("ownedAccountPrefixes").toString()).isEqualTo("[\"acme-\"]");
        assertThat(JSON.readTree(query("/v1/me", "local-dev-key").body()).get("admin").asBoolean()).isTrue();
        assertThat(query("/v1/me", "no-such-key").statusCode()).isEqualTo(401);

        // The group's lag is per input topic it has committed on: give it a payment request to commit.
        kafka.produce(Topics.ACCOUNT_REQUESTS, List.of(account(anOpen("it-erin", "EUR", AccountType.CUSTOMER)
                .build())));
        PaymentRequest topUp = aTopUp("it-erin", 7).build();
        await().atMost(SETTLE).until(() -> account("it-erin") != null);
        kafka.produce(Topics.PAYMENT_REQUESTS, List.of(payment(topUp)));
        await().atMost(SETTLE).until(() -> isFinal(topUp));
        await().atMost(SETTLE).untilAsserted(() -> {
            HttpResponse<String> pipeline = query("/v1/pipeline", "local-dev-key");
            assertThat(pipeline.statusCode()).as(pipeline.body()).isEqualTo(200);
            com.fasterxml.jackson.databind.JsonNode body = JSON.readTree(pipeline.body());
            assertThat(body.get("state").asText()).isEqualTo("RUNNING");
            assertThat(body.get("instances")).hasSize(1);
            assertThat(body.get("instances").get(0).get("activePartitions").asInt()).isPositive();
            assertThat(body.get("lag").has(Topics.PAYMENT_REQUESTS.name())).as(pipeline.body()).isTrue();
            assertThat(body.get("deadLetters").has("payments.dlq.v1")).as(pipeline.body()).isTrue();
            assertThat(body.get("stall").get("stalled").asBoolean()).isFalse();
        });
        assertThat(query("/v1/pipeline", "acme-key").statusCode()).isEqualTo(403);

        assertThat(send("POST", "/v1/simulator", "acme-key", "{}").statusCode()).isEqualTo(403);
        HttpResponse<String> tooFast = send("POST", "/v1/simulator", "local-dev-key",
                "{\"ratePerSecond\": 100000, \"durationSeconds\": 10, \"accounts\": 10}");
        assertThat(tooFast.statusCode()).isEqualTo(422);
        assertThat(tooFast.body()).contains("ratePerSecond must be from 1 to 200");
        assertThat(send("POST", "/v1/simulator", "local-dev-key", "{\"durationSeconds\": 3600}").body())
                .contains("durationSeconds must be from 1 to 600");
        HttpResponse<String> off = send("POST", "/v1/simulator", "local-dev-key", "{}");
        assertThat(off.statusCode()).isEqualTo(409);
        assertThat(off.body()).contains("simulator_disabled").contains("no console.ingressUrl");

        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + app.getLocalPort() + "/console/")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("app.js");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                policy -> assertThat(policy).contains("default-src 'self'").contains("frame-ancestors 'none'"));
        HttpResponse<String> config = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + app.getLocalPort() + "/console/config.json")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(config.body()).get("simulator").asBoolean()).isFalse();
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + app.getLocalPort() + path);
        return http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> query(String path, String key) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + app.getLocalPort() + path);
        return http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + app.getAdminPort() + path);
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static Map.Entry<String, AccountRequest> account(AccountRequest request) {
        return Map.entry(request.getAccountId(), request);
    }

    private static Map.Entry<String, PaymentRequest> payment(PaymentRequest request) {
        return Map.entry(request.getPaymentId(), request);
    }

    private boolean isFinal(PaymentRequest request) {
        return isFinalId(request.getPaymentId());
    }

    private boolean isFinalId(String paymentId) {
        PaymentState state = payment(paymentId);
        return state != null && state.getStatus() != PaymentStatus.ACCEPTED;
    }

    private AccountState account(String accountId) {
        return this.<AccountState>store(LedgerTopology.ACCOUNTS_STORE).get(accountId);
    }

    private PaymentState payment(String paymentId) {
        return this.<PaymentState>store(PaymentStatusTopology.PAYMENTS_STORE).get(paymentId);
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        KafkaStreams streams = app.<ProcessorApplication>getApplication().streams().streams();
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }
}
