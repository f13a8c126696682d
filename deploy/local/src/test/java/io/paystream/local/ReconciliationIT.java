package io.paystream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.paystream.acquirer.AcquirerSimulator;
import io.paystream.ingress.IngressApplication;
import io.paystream.ingress.IngressConfiguration;
import io.paystream.processor.ProcessorApplication;
import io.paystream.processor.ProcessorConfiguration;
import io.paystream.schemas.Topic;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.BalanceField;
import io.paystream.schemas.avro.BalanceMonitor;
import io.paystream.schemas.avro.ActionType;
import io.paystream.schemas.avro.CaptureMode;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentSource;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.SourceType;
import io.paystream.schemas.avro.ThresholdOperator;
import io.paystream.webhooks.WebhookEvents;
import io.paystream.testing.BalanceMonitorCheck;
import io.paystream.testing.BalanceTimeline;
import io.paystream.testing.ChargeReconciliation;
import io.paystream.testing.FreePorts;
import io.paystream.testing.InProcessKafka;
import io.paystream.testing.WebhookReceiver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Reconciliation after a seeded, randomized workload: the real processor moves money, the real sinks in a standalone
 * Connect worker in its own JVM (as {@code make run} runs it) copy the journal and statuses into PostgreSQL, and for every account the sum of its ledger_entries equals the
 * balance the query API serves, with gapless entry sequences; every payment's status in PostgreSQL equals the query
 * API's. Then a second round authorizes, captures (in part and whole), voids, and refunds completed payments (in
 * part, some twice), and the copy must reconcile again, captures and refunds included. Throughout, an operator's
 * webhook endpoint, registered through the ingress, receives every event of every notification, signed, and the
 * deliveries API shows each delivered.
 */
@ResourceLock(value = StackSlots.MACHINE, mode = ResourceAccessMode.READ)
class ReconciliationIT {
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ConnectWorker.RestAuth CONNECT_AUTH = new ConnectWorker.RestAuth("operations", "a-long-random-secret");
    private static final int ACCOUNTS = 12;
    private static final int PAYMENTS = 400;
    /** In the schema's order, so that a seed picks the same types as before. */
    private static final List<PaymentType> PAYMENT_TYPES = List.of(PaymentType.TRANSFER, PaymentType.PAYMENT,
            PaymentType.TOPUP, PaymentType.WITHDRAWAL);
    /** The email sink's default allowance of rejection emails per account and hour. */
    private static final int REJECTION_EMAILS_PER_HOUR = 5;

    private static InProcessKafka kafka;
    private static EmbeddedPostgres postgres;
    private static ChildProcess connect;
    private static DropwizardTestSupport<ProcessorConfiguration> processor;
    private static DropwizardTestSupport<IngressConfiguration> ingress;
    private static WebhookReceiver receiver;
    private static MailServer mail;
    private static AcquirerSimulator acquirer;
    private static int smtpPort;
    private static Path mailDirectory;
    /** Messages the SMTP server received before it was stopped for the outage. */
    private static final List<MimeMessage> MAIL_BEFORE_OUTAGE = new ArrayList<>();
    /** Every notification of the workload, once reconcileWebhooks has read them all. */
    private final List<Notification> notifications = new ArrayList<>();
    private final List<String> cardTopUps = new ArrayList<>();
    private final List<String> monitorIds = new ArrayList<>();
    /** The card top-up whose payee was frozen between its charge and the acquirer's answer. */
    private String refundedTopUp;
    private static String endpointId;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        kafka = InProcessKafka.start();
        postgres = EmbeddedPostgres.builder().start();
        int queryPort = FreePorts.next();
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        processor = new DropwizardTestSupport<>(ProcessorApplication.class,
                ROOT.resolve("streams-processor/config.yml").toString(), "reconcile",
                ConfigOverride.config("reconcile", "profile", "local"),
                ConfigOverride.config("reconcile", "kafka.bootstrap\\.servers", kafka.bootstrapServers()),
                ConfigOverride.config("reconcile", "server.applicationConnectors[0].port", String.valueOf(queryPort)),
                ConfigOverride.config("reconcile", "server.adminConnectors[0].port", "0"),
                ConfigOverride.config("reconcile", "streams.applicationServer", "127.0.0.1:" + queryPort),
                ConfigOverride.config("reconcile", "streams.partitions", "3"),
                ConfigOverride.config("reconcile", "streams.stateDir",
                        Files.createTempDirectory("reconcile").toString()),
                ConfigOverride.config("reconcile", "database.driverClass", "org.postgresql.Driver"),
                ConfigOverride.config("reconcile", "database.url", url),
                ConfigOverride.config("reconcile", "database.user", "postgres"));
        processor.before();
        // The sinks in a real standalone Connect worker in its own JVM, started exactly as `make run` starts it, once
        // the processor has created the topics they read.
        int kafkaPort = Integer.parseInt(kafka.bootstrapServers().replaceAll(".*:", ""));
        StackLayout layout = new StackLayout(ROOT, Files.createTempDirectory("reconcile-connect"), kafkaPort, 0,
                queryPort, 0, 0, 0, postgres.getPort(), FreePorts.next(), FreePorts.next(), FreePorts.next());
        smtpPort = layout.smtpPort();
        mailDirectory = layout.mail();
        mail = MailServer.start(smtpPort, mailDirectory);
        // Card top-ups are charged here; a tok_timeout charge answers after 6 s, past the connector's 5 s timeout.
        acquirer = AcquirerSimulator.start(new AcquirerSimulator.Settings(layout.acquirerPort(), 0.7,
                Duration.ofMillis(5), Duration.ofSeconds(6), null, 11));
        // With basic auth on its REST API, as every deployed worker has it.
        connect = ConnectWorker.start(layout, List.of(), CONNECT_AUTH);
        ConnectWorker.awaitRunning(connect, layout, SETTLE, CONNECT_AUTH);
        theRestApiWantsTheCredential(layout.connectPort());
        refusesAConnectorThatPointsItsConsumerElsewhere(layout.connectPort());
        // The ingress, for the webhook endpoint API; it reads deliveries through the processor's query API.
        ingress = new DropwizardTestSupport<>(IngressApplication.class,
                ROOT.resolve("ingress-api/config.yml").toString(), "recingress",
                ConfigOverride.config("recingress", "profile", "local"),
                ConfigOverride.config("recingress", "kafka.bootstrap\\.servers", kafka.bootstrapServers()),
                ConfigOverride.config("recingress", "server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("recingress", "server.adminConnectors[0].port", "0"),
                ConfigOverride.config("recingress", "queryApi.url", "http://127.0.0.1:" + queryPort));
        ingress.before();
    }

    @AfterAll
    static void stop() throws Exception {
        if (receiver != null) {
            receiver.close();
        }
        if (mail != null) {
            mail.close();
        }
        if (acquirer != null) {
            acquirer.close();
        }
        if (ingress != null) {
            ingress.after();
        }
        if (connect != null) {
            connect.stop();
        }
        if (processor != null) {
            processor.after();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static <V> void produce(KafkaProducer<String, byte[]> producer, Topic<String, V> topic, String key,
            V value) throws Exception {
        producer.send(new ProducerRecord<>(topic.name(), key, topic.valueSerde().serializer().serialize("", value)))
                .get();
    }

    private String query(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + processor.getLocalPort() + path)).header("Authorization", "Bearer local-dev-key").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : null;
    }

    private HttpResponse<String> ingress(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingress.getLocalPort() + path))
                .header("Authorization", "Bearer local-dev-key").header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Two balance monitors on every account, through the ingress: its balance below 3,000 and its available at or
     * above 6,000, thresholds the workload's amounts go back and forth over. A repeated POST with the same
     * Idempotency-Key names the same monitor.
     */
    private void addBalanceMonitors(List<String> accounts) throws Exception {
        for (String accountId : accounts) {
            for (String condition : List.of("\"field\":\"balance\",\"operator\":\"lt\",\"amount\":3000",
                    "\"field\":\"available\",\"operator\":\"gte\",\"amount\":6000")) {
                String body = "{\"accountId\":\"" + accountId + "\"," + condition + "}";
                String key = "monitor-" + accountId + "-" + condition.hashCode();
                HttpResponse<String> added = monitorPost(body, key);
                assertThat(added.statusCode()).as(added.body()).isEqualTo(202);
                String monitorId = JSON.readTree(added.body()).get("monitorId").asText();
                assertThat(JSON.readTree(monitorPost(body, key).body()).get("monitorId").asText())
                        .as("a retry names the same monitor").isEqualTo(monitorId);
                monitorIds.add(monitorId);
            }
        }
        await().atMost(SETTLE).until(() -> monitorIds.stream().allMatch(id -> {
            try {
                return query("/v1/balance-monitors/" + id) != null;
            } catch (Exception e) {
                return false;
            }
        }));
    }

    private HttpResponse<String> monitorPost(String body, String idempotencyKey) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingress.getLocalPort()
                + "/v1/balance-monitors")).header("Authorization", "Bearer local-dev-key")
                .header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Every monitor fired exactly once per crossing: the balance events on their topic are exactly the crossings the
     * journal's states make (BalanceMonitorCheck), and each monitor's count on the query API agrees.
     */
    private void reconcileBalanceMonitors(List<String> accounts) throws Exception {
        List<AuditRecord> journal;
        List<BalanceEvent> events;
        try (var reader = kafka.reader(Topics.AUDIT); var balance = kafka.reader(Topics.BALANCE_EVENTS)) {
            journal = reader.valuesToEnd(Duration.ofSeconds(60));
            events = balance.valuesToEnd(Duration.ofSeconds(60));
        }
        Map<String, List<BalanceMonitor>> monitors = new java.util.LinkedHashMap<>();
        for (String accountId : accounts) {
            List<BalanceMonitor> ofAccount = new ArrayList<>();
            JSON.readTree(query("/v1/balance-monitors?accountId=" + accountId)).get("monitors").forEach(m ->
                    ofAccount.add(BalanceMonitor.newBuilder().setMonitorId(m.get("monitorId").asText())
                            .setField(BalanceField.valueOf(m.get("field").asText().toUpperCase(java.util.Locale.ROOT)))
                            .setOperator(ThresholdOperator.valueOf(m.get("operator").asText()
                                    .toUpperCase(java.util.Locale.ROOT)))
                            .setAmount(m.get("amount").asLong()).setMet(m.get("met").asBoolean())
                            .setCrossings(m.get("crossings").asLong()).build()));
            monitors.put(accountId, ofAccount);
        }
        assertThat(monitors.values().stream().mapToInt(List::size).sum()).isEqualTo(monitorIds.size());
        assertThat(BalanceMonitorCheck.violations(journal, monitors, events)).as("one event per crossing").isEmpty();
        assertThat(events).as("monitors crossed").isNotEmpty();
        System.out.printf("balance monitors: %d monitors crossed %d times, one event each%n", monitorIds.size(),
                events.size());
    }

    /** An operator's endpoint (the admin key): it receives every account's events, through the whole workload. */
    private void registerWebhookEndpoint() throws Exception {
        receiver = WebhookReceiver.answering(200);
        HttpResponse<String> created = ingress("POST", "/v1/webhook-endpoints", "{\"url\":\"" + receiver.url()
                + "\",\"description\":\"reconciliation\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode endpoint = JSON.readTree(created.body());
        endpointId = endpoint.get("id").asText();
        receiver.secret(endpoint.get("secret").asText());
    }

    /**
     * Every event of every notification on payments.notifications.v1 reached the receiver, signed, and the
     * deliveries API (through the ingress) shows each one DELIVERED.
     */
    private void reconcileWebhooks() throws Exception {
        Set<String> expected = new HashSet<>();
        try (var reader = kafka.reader(Topics.NOTIFICATIONS); var balance = kafka.reader(Topics.BALANCE_EVENTS)) {
            await().atMost(SETTLE).until(() -> {
                expected.clear();
                notifications.clear();
                notifications.addAll(reader.values());
                notifications.forEach(n -> WebhookEvents.of(n).forEach(e -> expected.add(e.id())));
                balance.values().forEach(b -> expected.add(WebhookEvents.of(b).id()));
                return !expected.isEmpty() && receiver.received().stream().map(WebhookReceiver.Received::eventId)
                        .collect(Collectors.toSet()).equals(expected);
            });
        }
        assertThat(receiver.received()).allMatch(WebhookReceiver.Received::signatureValid);
        assertThat(receiver.received().stream().map(WebhookReceiver.Received::eventType).collect(Collectors.toSet()))
                .contains("payment.completed", "payment.rejected", "account.credited", "account.debited",
                        "payment.authorized", "refund.succeeded", "balance.threshold_crossed");
        List<String> states = new ArrayList<>();
        String after = null;
        do {
            HttpResponse<String> page = ingress("GET", "/v1/webhook-endpoints/" + endpointId + "/deliveries?limit=100"
                    + (after == null ? "" : "&after=" + after), null);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(page.body());
            body.get("deliveries").forEach(d -> states.add(d.get("state").asText() + ":"
                    + d.get("attemptLog").get(d.get("attemptLog").size() - 1).get("outcome").asText()));
            after = body.get("next").isNull() ? null : body.get("next").asText();
        } while (after != null);
        assertThat(states).hasSize(expected.size()).containsOnly("DELIVERED:SUCCEEDED");
    }

    @Test
    void theDatabaseCopyReconcilesWithTheQueryApi() throws Exception {
        registerWebhookEndpoint();
        long seed = Long.getLong("paystream.seed", System.nanoTime());
        System.out.println("ReconciliationIT seed=" + seed);
        Random random = new Random(seed);
        List<String> accounts = new ArrayList<>();
        List<String> payments = new ArrayList<>();
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties, new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int i = 0; i < ACCOUNTS; i++) {
                String accountId = "rec-" + i;
                accounts.add(accountId);
                produce(producer, Topics.ACCOUNT_REQUESTS, accountId, AccountRequest.newBuilder()
                        .setRequestId("open-" + accountId).setAccountId(accountId)
                        .setCommand(AccountCommandType.OPEN).setCurrency("USD")
                        .setAccountType(i % 3 == 0 ? AccountType.MERCHANT : AccountType.CUSTOMER)
                        .setOverdraftLimit(0L).setEmail(i % 2 == 0 ? accountId + "@example.com" : null).build());
            }
            await().atMost(SETTLE).until(() -> accounts.stream().allMatch(id -> {
                try {
                    return query("/v1/accounts/" + id) != null;
                } catch (Exception e) {
                    return false;
                }
            }));
            addBalanceMonitors(accounts);
            for (int i = 0; i < PAYMENTS; i++) {
                String from = accounts.get(random.nextInt(ACCOUNTS));
                String to = accounts.get(random.nextInt(ACCOUNTS));
                PaymentType type = PAYMENT_TYPES.get(random.nextInt(PAYMENT_TYPES.size()));
                // Half the top-ups are paid by card, through the acquirer connector and the simulator.
                String card = type == PaymentType.TOPUP && random.nextBoolean()
                        ? List.of("tok_visa", "tok_visa", "tok_decline", "tok_approve").get(random.nextInt(4)) : null;
                if (card != null && cardTopUps.isEmpty()) {
                    card = "tok_timeout";
                }
                PaymentRequest request = PaymentRequest.newBuilder()
                        .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString()).setType(type)
                        .setFrom(type == PaymentType.TOPUP ? null : from)
                        .setTo(type == PaymentType.WITHDRAWAL ? null : to.equals(from) ? accounts.get(0) : to)
                        .setAmount(type == PaymentType.TOPUP ? 5_000 : 1 + random.nextInt(4_000))
                        .setSource(card == null ? null : PaymentSource.newBuilder().setType(SourceType.CARD)
                                .setToken(card).build())
                        .setCurrency("USD").setClientId("reconcile").build();
                payments.add(request.getPaymentId());
                if (card != null) {
                    cardTopUps.add(request.getPaymentId());
                }
                produce(producer, Topics.PAYMENT_REQUESTS, request.getPaymentId(), request);
            }
            payments.add(topUpFrozenBeforeTheAnswer(producer));
        }
        Jdbi db = Jdbi.create(postgres.getPostgresDatabase());
        reconcile(db, accounts, payments);
        reconcileCardTopUps(db);

        // The SMTP server goes down for the second round, and comes back after it: the email sink holds its batch
        // and retries; no email is lost and none is sent twice.
        MAIL_BEFORE_OUTAGE.addAll(List.of(mail.received()));
        mail.close();

        // Second round: authorizations captured, voided or left open, and refunds of completed payments.
        List<String> completed = new ArrayList<>();
        for (String paymentId : payments) {
            JsonNode payment = JSON.readTree(query("/v1/payments/" + paymentId));
            if (payment.get("status").asText().equals("COMPLETED") && payment.get("type").asText().equals("TRANSFER")) {
                completed.add(paymentId);
            }
        }
        List<String> authorized = new ArrayList<>();
        Map<String, Integer> refundsAsked = new java.util.HashMap<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties, new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int i = 0; i < 60; i++) {
                String from = accounts.get(random.nextInt(ACCOUNTS));
                String to = accounts.get((accounts.indexOf(from) + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS);
                PaymentRequest request = PaymentRequest.newBuilder()
                        .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString())
                        .setType(PaymentType.TRANSFER).setFrom(from).setTo(to).setAmount(1 + random.nextInt(2_000))
                        .setCurrency("USD").setClientId("reconcile").setCapture(CaptureMode.MANUAL)
                        .setHoldExpiresInSeconds(3_600L).build();
                authorized.add(request.getPaymentId());
                payments.add(request.getPaymentId());
                produce(producer, Topics.PAYMENT_REQUESTS, request.getPaymentId(), request);
            }
            for (String paymentId : completed.subList(0, Math.min(40, completed.size()))) {
                long amount = JSON.readTree(query("/v1/payments/" + paymentId)).get("amount").asLong();
                int refunds = 1 + random.nextInt(2);
                refundsAsked.put(paymentId, refunds);
                for (int i = 0; i < refunds; i++) {
                    produce(producer, Topics.PAYMENT_ACTIONS, paymentId, action(random, paymentId, ActionType.REFUND,
                            1 + random.nextInt((int) Math.max(1, amount * 2 / 3))));
                }
            }
            await().atMost(SETTLE).until(() -> authorized.stream().allMatch(id -> !status(id).equals("PROCESSING")));
            for (int i = 0; i < authorized.size(); i++) {
                String paymentId = authorized.get(i);
                JsonNode payment = JSON.readTree(query("/v1/payments/" + paymentId));
                if (!payment.get("status").asText().equals("AUTHORIZED")) {
                    continue; // the hold did not fit
                }
                switch (i % 4) {
                    case 0 -> produce(producer, Topics.PAYMENT_ACTIONS, paymentId, action(random, paymentId,
                            ActionType.CAPTURE, payment.get("authorizedAmount").asLong() / 2 + 1));
                    case 1 -> produce(producer, Topics.PAYMENT_ACTIONS, paymentId, action(random, paymentId,
                            ActionType.CAPTURE, null));
                    case 2 -> produce(producer, Topics.PAYMENT_ACTIONS, paymentId, action(random, paymentId,
                            ActionType.VOID, null));
                    default -> {
                    } // left open: AUTHORIZED in both copies
                }
            }
        }
        await().atMost(SETTLE).until(() -> refundsAsked.entrySet().stream().allMatch(asked ->
                refundsEnded(asked.getKey(), asked.getValue()))
                && java.util.stream.IntStream.range(0, authorized.size()).allMatch(i ->
                        i % 4 == 3 || !status(authorized.get(i)).equals("AUTHORIZED")));
        mail = MailServer.start(smtpPort, mailDirectory);
        reconcile(db, accounts, payments);
        List<String> kinds = db.withHandle(h -> h.createQuery("SELECT DISTINCT kind FROM ledger_entries")
                .mapTo(String.class).list());
        assertThat(kinds).as("movement kinds in PostgreSQL")
                .contains("CAPTURE", "REFUND", "REFUND_CREDIT");
        reconcileWebhooks();
        reconcileEmails(db);
        reconcileBalancesThroughTime(accounts);
        reconcileBalanceMonitors(accounts);
    }

    /**
     * Balances at a point in time agree with the journal for every past state: for every account, its balance now
     * with the query API's; after each of its movements ({@code ?entrySeq=N}) with the balance the journal wrote and
     * the holds the journal added up by then; and at the instant each of its states began ({@code ?at=}) with the
     * state the journal says was in force then. The journal is read from the topic, independently of the copy.
     */
    private void reconcileBalancesThroughTime(List<String> accounts) throws Exception {
        List<AuditRecord> journal;
        try (var reader = kafka.reader(Topics.AUDIT)) {
            journal = reader.valuesToEnd(Duration.ofSeconds(60));
        }
        BalanceTimeline timeline = BalanceTimeline.of(journal);
        int entriesAsked = 0;
        int instantsAsked = 0;
        boolean sawAHold = false;
        for (String accountId : accounts) {
            JsonNode live = JSON.readTree(query("/v1/accounts/" + accountId));
            JsonNode now = balance(accountId, "");
            for (String field : List.of("balance", "held", "available", "entrySeq")) {
                assertThat(now.get(field).asLong()).as("%s of %s now", field, accountId)
                        .isEqualTo(live.get(field).asLong());
            }
            List<BalanceTimeline.State> states = timeline.states(accountId);
            assertThat(states).as("states of %s in the journal", accountId).isNotEmpty();
            assertThat(now.get("stateSeq").asLong()).isEqualTo(states.get(states.size() - 1).stateSeq());
            JsonNode opened = balance(accountId, "?entrySeq=0");
            assertThat(opened.get("balance").asLong()).as("%s when it opened", accountId).isZero();
            assertThat(opened.get("stateSeq").asLong()).isEqualTo(1);
            for (BalanceTimeline.State state : states) {
                sawAHold |= state.held() != 0;
                for (long entrySeq : state.entries()) {
                    JsonNode after = balance(accountId, "?entrySeq=" + entrySeq);
                    String what = accountId + " after entry " + entrySeq;
                    assertThat(after.get("entrySeq").asLong()).as(what).isEqualTo(entrySeq);
                    assertThat(after.get("balance").asLong()).as(what)
                            .isEqualTo(timeline.balanceAfter(accountId, entrySeq));
                    assertThat(after.get("held").asLong()).as(what).isEqualTo(state.held());
                    assertThat(after.get("stateSeq").asLong()).as(what).isEqualTo(state.stateSeq());
                    entriesAsked++;
                }
                java.time.Instant at = java.time.Instant.ofEpochMilli(state.changedAtMs());
                BalanceTimeline.State expected = timeline.at(accountId, state.changedAtMs());
                JsonNode then = balance(accountId, "?at=" + at);
                String what = accountId + " at " + at;
                assertThat(then.get("stateSeq").asLong()).as(what).isEqualTo(expected.stateSeq());
                assertThat(then.get("entrySeq").asLong()).as(what).isEqualTo(expected.entrySeq());
                assertThat(then.get("balance").asLong()).as(what).isEqualTo(expected.balance());
                assertThat(then.get("held").asLong()).as(what).isEqualTo(expected.held());
                instantsAsked++;
            }
        }
        System.out.printf("balances at a point in time: %d entries and %d instants of %d accounts agree with the "
                + "journal%n", entriesAsked, instantsAsked, accounts.size());
        assertThat(sawAHold).as("some past state held money").isTrue();
        assertThat(timeline.violations(List.of())).as("the journal's states add up").isEmpty();
    }

    /** {@code GET /v1/accounts/{id}/balance} with {@code params}, asked again while the copy catches up (503). */
    private JsonNode balance(String accountId, String params) throws Exception {
        java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> last =
                new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(SETTLE).until(() -> {
            last.set(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + processor.getLocalPort()
                    + "/v1/accounts/" + accountId + "/balance" + params)).header("Authorization",
                    "Bearer local-dev-key").GET().build(), HttpResponse.BodyHandlers.ofString()));
            return last.get().statusCode() != 503;
        });
        assertThat(last.get().statusCode()).as("%s%s: %s", accountId, params, last.get().body()).isEqualTo(200);
        return JSON.readTree(last.get().body());
    }

    /**
     * Every notification of an account with an address, of a status that has a template, became exactly one email to
     * that address (one Message-ID each, across the SMTP outage); accounts without an address got none; and each
     * message was written to the mail directory as make run writes it.
     */
    private void reconcileEmails(Jdbi db) throws Exception {
        // Every notification, as read in full by reconcileWebhooks (whose receiver got every one of their events).
        // Rejection emails beyond 5 an account in the hour are throttled: recorded, not sent.
        Map<String, Integer> expected = new java.util.HashMap<>();
        Map<String, Integer> rejections = new java.util.HashMap<>();
        int[] throttled = new int[1];
        notifications.stream().filter(n -> !WebhookEvents.of(n).isEmpty())
                .filter(n -> n.getAccountId().matches("rec-[0-9]+")
                        && Integer.parseInt(n.getAccountId().substring("rec-".length())) % 2 == 0)
                .forEach(n -> {
                    if (n.getStatus() == io.paystream.schemas.avro.PaymentStatus.REJECTED
                            && rejections.merge(n.getAccountId(), 1, Integer::sum) > REJECTION_EMAILS_PER_HOUR) {
                        throttled[0]++;
                    } else {
                        expected.merge(n.getAccountId() + "@example.com", 1, Integer::sum);
                    }
                });
        int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        await().atMost(SETTLE).until(() -> MAIL_BEFORE_OUTAGE.size() + mail.received().length >= total);
        Thread.sleep(2_000); // anything sent twice would arrive now
        List<MimeMessage> messages = new ArrayList<>(MAIL_BEFORE_OUTAGE);
        messages.addAll(List.of(mail.received()));
        Map<String, Integer> received = new java.util.HashMap<>();
        Set<String> messageIds = new HashSet<>();
        for (MimeMessage message : messages) {
            received.merge(message.getAllRecipients()[0].toString(), 1, Integer::sum);
            messageIds.add(message.getMessageID());
        }
        assertThat(received).as("emails per address").isEqualTo(expected);
        assertThat(messageIds).as("distinct Message-IDs").hasSize(messages.size());
        int logged = db.withHandle(h -> h.createQuery("SELECT count(*) FROM email_messages").mapTo(Integer.class)
                .one());
        assertThat(logged).as("the send log, throttled ones included").isEqualTo(total + throttled[0]);
        int recordedThrottled = db.withHandle(h -> h.createQuery("SELECT count(*) FROM email_messages WHERE throttled")
                .mapTo(Integer.class).one());
        assertThat(recordedThrottled).as("throttled rejection emails").isEqualTo(throttled[0]);
        System.out.println("ReconciliationIT emails: " + total + " sent, " + throttled[0] + " rejections throttled");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (var files = Files.list(mailDirectory)) {
                return files.filter(f -> f.toString().endsWith(".eml")).count() == total;
            }
        });
    }

    /**
     * Without the credential, nothing on the worker's REST API answers but 401: not the connectors' configs (which
     * name the worker's secrets), not a new connector, not /metrics. A wrong password is refused the same way.
     */
    private static void theRestApiWantsTheCredential(int connectPort) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + connectPort;
        String wrong = new ConnectWorker.RestAuth(CONNECT_AUTH.user(), "guess").header();
        for (String path : List.of("/connectors", "/connectors/paystream-ledger-sink/config", "/metrics")) {
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as(path).isEqualTo(401);
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", wrong)
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as(path).isEqualTo(401);
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", CONNECT_AUTH.header()).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as(path).isEqualTo(200);
        }
        HttpResponse<String> create = client.send(HttpRequest.newBuilder(URI.create(base
                + "/connectors/no-credential/config")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"connector.class\":\"io.paystream.sinks"
                        + ".JournalSinkConnector\",\"topics\":\"payments.audit.v1\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(create.statusCode()).isEqualTo(401);
        assertThat(create.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                challenge -> assertThat(challenge).startsWith("Basic "));
    }

    /**
     * The worker takes no client override but isolation.level: a connector created through its REST API with the
     * journal sink's config and its consumer pointed at other brokers is refused, and never created.
     */
    private static void refusesAConnectorThatPointsItsConsumerElsewhere(int connectPort) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + connectPort + "/connectors/";
        String credential = CONNECT_AUTH.header();
        ObjectNode config = (ObjectNode) JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(base
                + "paystream-ledger-sink/config")).header("Authorization", credential).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
        config.put("name", "hostile-copy").put("consumer.override.bootstrap.servers", "127.0.0.1:1");
        HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(base + "hostile-copy/config"))
                .header("Authorization", credential).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(config))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("bootstrap.servers");
        assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "hostile-copy"))
                .header("Authorization", credential).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }

    /**
     * A card top-up whose payee is frozen between the charge and the acquirer's answer: tok_timeout's first answer
     * hangs past the connector's timeout, and the account is frozen as soon as the acquirer has the charge. The
     * approval then finds a payee that cannot take the credit, so the charge must be refunded at the acquirer.
     *
     * @return the top-up's payment id
     */
    private String topUpFrozenBeforeTheAnswer(KafkaProducer<String, byte[]> producer) throws Exception {
        String payee = "frozen-card-payee";
        produce(producer, Topics.ACCOUNT_REQUESTS, payee, AccountRequest.newBuilder().setRequestId("open-" + payee)
                .setAccountId(payee).setCommand(AccountCommandType.OPEN).setCurrency("USD")
                .setAccountType(AccountType.CUSTOMER).setOverdraftLimit(0L).build());
        await().atMost(SETTLE).until(() -> query("/v1/accounts/" + payee) != null);
        PaymentRequest topUp = PaymentRequest.newBuilder().setPaymentId(UUID.randomUUID().toString())
                .setType(PaymentType.TOPUP).setTo(payee).setAmount(2_500).setCurrency("USD").setClientId("reconcile")
                .setSource(PaymentSource.newBuilder().setType(SourceType.CARD).setToken("tok_timeout").build())
                .build();
        produce(producer, Topics.PAYMENT_REQUESTS, topUp.getPaymentId(), topUp);
        await().atMost(SETTLE).until(() -> acquirer.charges().stream()
                .anyMatch(charge -> topUp.getPaymentId().equals(charge.reference())));
        produce(producer, Topics.ACCOUNT_REQUESTS, payee, AccountRequest.newBuilder().setRequestId("freeze-" + payee)
                .setAccountId(payee).setCommand(AccountCommandType.FREEZE).build());
        cardTopUps.add(topUp.getPaymentId());
        refundedTopUp = topUp.getPaymentId();
        return topUp.getPaymentId();
    }

    /**
     * The acquirer's books against the journal (ChargeReconciliation): every approved charge credited exactly once or
     * refunded exactly once, every declined one REJECTED(CARD_DECLINED); the top-up frozen before its answer was
     * refunded, ended REJECTED saying so, and was owed in PostgreSQL until the refund was confirmed.
     */
    private void reconcileCardTopUps(Jdbi db) throws Exception {
        assertThat(cardTopUps).isNotEmpty();
        List<ChargeReconciliation.Charge> charges = acquirer.charges().stream().map(charge ->
                new ChargeReconciliation.Charge(charge.reference(), charge.chargeId(),
                        charge.status().equals("APPROVED"))).toList();
        List<String> refunded = acquirer.refunds().stream().map(io.paystream.acquirer.Refund::chargeId).toList();
        try (var events = kafka.reader(Topics.PAYMENT_EVENTS); var audits = kafka.reader(Topics.AUDIT)) {
            assertThat(ChargeReconciliation.violations(charges, refunded, events.valuesToEnd(SETTLE),
                    audits.valuesToEnd(SETTLE))).isEmpty();
        }
        JsonNode frozen = JSON.readTree(query("/v1/payments/" + refundedTopUp));
        assertThat(frozen.get("status").asText()).isEqualTo("REJECTED");
        assertThat(frozen.get("reason").asText()).isEqualTo("ACCOUNT_INACTIVE");
        assertThat(frozen.get("detail").asText()).contains("was refunded");
        assertThat(refunded).as("only the frozen payee's charge was refunded").hasSize(1);
        await().atMost(SETTLE).until(() -> db.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM card_refunds_owed WHERE payment_id = :p AND amount = 2500 AND refunded_at IS NOT "
                        + "NULL").bind("p", refundedTopUp).mapTo(Integer.class).one()) == 1);

        Map<String, Integer> ends = new java.util.TreeMap<>();
        for (String paymentId : cardTopUps) {
            JsonNode payment = JSON.readTree(query("/v1/payments/" + paymentId));
            ends.merge(payment.get("status").asText() + (payment.get("reason").isNull() ? ""
                    : ":" + payment.get("reason").asText()), 1, Integer::sum);
        }
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + acquirer.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        int approved = (int) charges(metrics, "approved");
        int declined = (int) charges(metrics, "declined");
        System.out.println("ReconciliationIT card top-ups: " + ends + ", acquirer approved " + approved
                + ", declined " + declined);
        assertThat(ends).containsOnlyKeys("COMPLETED", "REJECTED:CARD_DECLINED", "REJECTED:ACCOUNT_INACTIVE");
        assertThat(ends.get("COMPLETED") + ends.get("REJECTED:ACCOUNT_INACTIVE"))
                .as("completed and refunded card top-ups = approved charges").isEqualTo(approved);
        assertThat(ends.getOrDefault("REJECTED:CARD_DECLINED", 0)).as("declined").isEqualTo(declined);
        assertThat(approved + declined).isEqualTo(cardTopUps.size());
    }

    private static double charges(String metrics, String status) {
        return metrics.lines().filter(l -> l.startsWith("acquirer_charges_total{") && l.contains("status=\""
                + status + "\"")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static PaymentAction action(Random random, String paymentId, ActionType type, Number amount) {
        return PaymentAction.newBuilder().setActionId(new UUID(random.nextLong(), random.nextLong()).toString())
                .setPaymentId(paymentId).setType(type).setAmount(amount == null ? null : amount.longValue())
                .setClientId("reconcile").build();
    }

    /** True once the payment lists {@code asked} refunds and none is PENDING. */
    private boolean refundsEnded(String paymentId, int asked) {
        try {
            JsonNode refunds = JSON.readTree(query("/v1/payments/" + paymentId)).get("refunds");
            return refunds != null && refunds.size() == asked
                    && java.util.stream.StreamSupport.stream(refunds.spliterator(), false)
                            .noneMatch(r -> r.get("status").asText().equals("PENDING"));
        } catch (Exception e) {
            return false;
        }
    }

    private String status(String paymentId) {
        try {
            return JSON.readTree(query("/v1/payments/" + paymentId)).get("status").asText();
        } catch (Exception e) {
            return "PROCESSING";
        }
    }

    /**
     * Every payment's status in PostgreSQL is the query API's, and every account's ledger_entries sum to the balance
     * the query API serves, one gapless entry per movement.
     */
    private void reconcile(Jdbi db, List<String> accounts, List<String> payments) throws Exception {
        await().atMost(SETTLE).until(() -> db.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM payments WHERE status <> 'ACCEPTED'").mapTo(Integer.class).one())
                == payments.size());
        for (String accountId : accounts) {
            long served = JSON.readTree(query("/v1/accounts/" + accountId)).get("balance").asLong();
            long servedSeq = JSON.readTree(query("/v1/accounts/" + accountId)).get("entrySeq").asLong();
            await().atMost(SETTLE).until(() -> db.withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM ledger_entries WHERE account_id = :a").bind("a", accountId)
                    .mapTo(Long.class).one()) == servedSeq);
            Map<String, Object> totals = db.withHandle(h -> h.createQuery("SELECT coalesce(sum(amount), 0) AS total, "
                    + "count(*) AS entries, coalesce(min(entry_seq), 0) AS first, coalesce(max(entry_seq), 0) AS last "
                    + "FROM ledger_entries WHERE account_id = :a").bind("a", accountId).mapToMap().one());
            assertThat(((Number) totals.get("total")).longValue()).as("sum of %s's entries", accountId)
                    .isEqualTo(served);
            long entries = ((Number) totals.get("entries")).longValue();
            assertThat(entries).as("%s's entries", accountId).isEqualTo(servedSeq);
            if (entries > 0) {
                assertThat(((Number) totals.get("first")).longValue()).isEqualTo(1);
                assertThat(((Number) totals.get("last")).longValue()).as("gapless entrySeq").isEqualTo(entries);
            }
        }
        for (String paymentId : payments) {
            String status = JSON.readTree(query("/v1/payments/" + paymentId)).get("status").asText();
            await().atMost(SETTLE).until(() -> db.withHandle(h -> h.createQuery(
                    "SELECT status FROM payments WHERE payment_id = :p").bind("p", paymentId).mapTo(String.class)
                    .one()).equals(status));
        }
    }
}
