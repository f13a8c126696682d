package io.paystream.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.paystream.ingress.core.PaymentIds;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.WebhookEndpoint;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.PaymentBatch;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.testing.InProcessKafka;
import io.paystream.web.auth.ApiKeyAuth;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real ingress application over HTTP against a real in-process broker. Happy paths assert the exact record that
 * landed in Kafka; every kind of bad input asserts the status, the error code and field, and that nothing was produced.
 */
class IngressApplicationIT {
    static final String ADMIN_KEY = "local-dev-key";
    static final String ACME_KEY = "acme-key";
    static final String READER_KEY = "reader-key";
    static final String TREASURY_KEY = "acme-treasury-key";
    static final String HOOKS_KEY = "acme-hooks-key";
    static final String GLOBEX_KEY = "globex-key";
    /** ingress-it.yml's paymentIdSecret. */
    static final PaymentIds IDS = new PaymentIds("test-payment-id-secret-0123456789abcdef");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final int PARTITIONS = 3;

    private static InProcessKafka kafka;
    private static DropwizardTestSupport<IngressConfiguration> app;
    private static IngressHttp http;

    @BeforeAll
    static void start() throws Exception {
        kafka = InProcessKafka.start();
        kafka.createTopics(PARTITIONS, Topics.PAYMENT_REQUESTS.name(), Topics.ACCOUNT_REQUESTS.name(),
                Topics.PAYMENT_ACTIONS.name(), Topics.WEBHOOK_ENDPOINTS.name(), Topics.PAYMENT_BATCHES.name());
        app = ingress(kafka.bootstrapServers());
        app.before();
        http = new IngressHttp(app.getLocalPort());
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

    static DropwizardTestSupport<IngressConfiguration> ingress(String bootstrap, ConfigOverride... overrides) {
        ConfigOverride[] all = new ConfigOverride[overrides.length + 1];
        all[0] = ConfigOverride.config("kafka.bootstrap\\.servers", bootstrap);
        System.arraycopy(overrides, 0, all, 1, overrides.length);
        return new DropwizardTestSupport<>(IngressApplication.class,
                ResourceHelpers.resourceFilePath("ingress-it.yml"), all);
    }

    private static String transfer(String from, String to, String amount) {
        return "{\"type\":\"TRANSFER\",\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"amount\":" + amount
                + ",\"currency\":\"USD\"}";
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /**
     * The payment request the ingress published for {@code paymentId}, checked to be keyed by the account its first
     * leg moves (the payer; the payee of a TOPUP), whose ledger task decides it.
     */
    private static PaymentRequest requestFor(String paymentId) {
        try (var reader = kafka.reader(Topics.PAYMENT_REQUESTS)) {
            PaymentRequest[] found = new PaymentRequest[1];
            String[] key = new String[1];
            await().atMost(SETTLE).until(() -> {
                reader.records().forEach(r -> {
                    PaymentRequest request = Topics.PAYMENT_REQUESTS.valueSerde().deserializer()
                            .deserialize(Topics.PAYMENT_REQUESTS.name(), r.value());
                    if (paymentId.equals(request.getPaymentId())) {
                        found[0] = request;
                        key[0] = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    }
                });
                return found[0] != null;
            });
            assertThat(key[0]).as("the record's key")
                    .isEqualTo(io.paystream.schemas.validation.PaymentRequestRules.firstLegAccount(found[0]));
            return found[0];
        }
    }

    private static <V> V recordFor(io.paystream.schemas.Topic<String, V> topic, String key) {
        try (var reader = kafka.reader(topic)) {
            Object[] found = new Object[1];
            await().atMost(SETTLE).until(() -> {
                reader.records().stream()
                        .filter(r -> key.equals(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)))
                        .reduce((first, second) -> second)
                        .ifPresent(r -> found[0] = topic.valueSerde().deserializer().deserialize(topic.name(),
                                r.value()));
                return found[0] != null;
            });
            @SuppressWarnings("unchecked")
            V value = (V) found[0];
            return value;
        }
    }

    private static long produced() throws Exception {
        return kafka.endOffsetSum(Topics.PAYMENT_REQUESTS.name()) + kafka.endOffsetSum(Topics.ACCOUNT_REQUESTS.name())
                + kafka.endOffsetSum(Topics.PAYMENT_ACTIONS.name()) + kafka.endOffsetSum(Topics.PAYMENT_BATCHES.name())
                + kafka.endOffsetSum(Topics.WEBHOOK_ENDPOINTS.name());
    }

    /** Sends the request and asserts an error answer in the API's shape, and that no record reached Kafka. */
    private static JsonNode assertRefused(IngressHttp.Request request, int status, String code, String param)
            throws Exception {
        long before = produced();
        HttpResponse<String> response = request.send();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode error = json(response).get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("type").asText()).isNotBlank();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("param").isNull() ? null : error.get("param").asText()).isEqualTo(param);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(produced()).as("records produced by a refused request").isEqualTo(before);
        return error;
    }

    /**
     * The console, served by the processors on another origin, posts here from the browser: its origin is allowed
     * (preflight and answer carry the CORS headers, with the Idempotency-Key header allowed); any other origin is not,
     * so a page elsewhere cannot read the answers. No credentials mode: the key travels in Authorization.
     */
    @Test
    void onlyTheConsolesOriginMayCallFromABrowser() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, HttpResponse<String>> preflight = origin -> {
            try {
                return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + app.getLocalPort() + "/v1/payments")).method("OPTIONS",
                        java.net.http.HttpRequest.BodyPublishers.noBody()).header("Origin", origin)
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "authorization,content-type,idempotency-key")
                        .build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        HttpResponse<String> allowed = preflight.apply("http://127.0.0.1:8090");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://127.0.0.1:8090");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Headers")).hasValueSatisfying(
                headers -> assertThat(headers.toLowerCase(java.util.Locale.ROOT)).contains("idempotency-key"));
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
        assertThat(preflight.apply("http://evil.example").headers().firstValue("Access-Control-Allow-Origin"))
                .isEmpty();

        HttpResponse<String> posted = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + app.getLocalPort() + "/v1/payments")).header("Origin", "http://127.0.0.1:8090")
                .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
                .header("Idempotency-Key", "cors-" + UUID.randomUUID())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(transfer("alice", "bob", "1"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        assertThat(posted.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://127.0.0.1:8090");
    }

    /**
     * A POST refused before its body is read (a key without the scope: 403) keeps its connection: the next request on
     * it is answered. The body arrives after the headers, as a client that writes them separately sends it; unread,
     * it made Jetty close the connection after the answer without saying so.
     */
    @Test
    void aRequestRefusedBeforeItsBodyWasReadKeepsItsConnection() throws Exception {
        String body = transfer("alice", "bob", "1");
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(),
                app.getLocalPort())) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            out.write(("POST /v1/payments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + READER_KEY
                    + "\r\nIdempotency-Key: keep-1\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(300);
            out.write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 403 Forbidden");
            int length = 0;
            for (String header = in.readLine(); !header.isEmpty(); header = in.readLine()) {
                assertThat(header.toLowerCase(java.util.Locale.ROOT)).doesNotStartWith("connection: close");
                if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring("content-length:".length()).trim());
                }
            }
            in.skip(length);
            out.write("GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            assertThat(in.readLine()).as("the next request on the same connection is answered")
                    .isEqualTo("HTTP/1.1 200 OK");
        }
    }

    /** {@code POST /v1/payment-batches}: many payments under one key, written as one record per partition. */
    @Nested
    class Batches {
        private String batchOf(int size, java.util.function.IntFunction<String> payment) {
            StringBuilder body = new StringBuilder("{\"payments\":[");
            for (int index = 0; index < size; index++) {
                body.append(index == 0 ? "" : ",").append(payment.apply(index));
            }
            return body.append("]}").toString();
        }

        /** The batch's records, by partition, as the ingress wrote them. */
        private Map<Integer, List<PaymentBatch>> recordsOf(String batchId) {
            Map<Integer, List<PaymentBatch>> found = new java.util.TreeMap<>();
            try (var reader = kafka.reader(Topics.PAYMENT_BATCHES)) {
                await().atMost(SETTLE).until(() -> {
                    reader.records().forEach(r -> {
                        PaymentBatch batch = Topics.PAYMENT_BATCHES.valueSerde().deserializer()
                                .deserialize(Topics.PAYMENT_BATCHES.name(), r.value());
                        if (batchId.equals(batch.getBatchId())) {
                            found.computeIfAbsent(r.partition(), p -> new java.util.ArrayList<>()).add(batch);
                        }
                    });
                    return !found.isEmpty();
                });
            }
            return found;
        }

        @Test
        void aBatchIsAcceptedWithDerivedIdsAndWrittenAsOneRecordPerPartitionOfItsPayers() throws Exception {
            String key = "payroll-" + UUID.randomUUID();
            String[] payers = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
            HttpResponse<String> response = http.post("/v1/payment-batches", batchOf(40, index -> transfer(
                    payers[index % payers.length], "merchant", String.valueOf(100 + index))))
                    .key(ADMIN_KEY).idempotencyKey(key).send();

            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            JsonNode answer = json(response);
            String batchId = answer.get("batchId").asText();
            assertThat(batchId).isEqualTo(IDS.deriveBatch("local-dev", key));
            assertThat(answer.get("status").asText()).isEqualTo("PENDING");
            assertThat(answer.get("payments")).hasSize(40);
            for (int index = 0; index < 40; index++) {
                assertThat(answer.get("payments").get(index).get("index").asInt()).isEqualTo(index);
                assertThat(answer.get("payments").get(index).get("paymentId").asText())
                        .isEqualTo(io.paystream.schemas.BatchIds.paymentId(batchId, index));
            }
            Map<Integer, List<PaymentBatch>> records = recordsOf(batchId);
            List<PaymentRequest> written = new java.util.ArrayList<>();
            records.forEach((partition, batches) -> {
                assertThat(batches).as("one record for partition %d", partition).hasSize(1);
                PaymentBatch batch = batches.get(0);
                assertThat(batch.getSize()).isEqualTo(40);
                assertThat(batch.getClientId()).isEqualTo("local-dev");
                assertThat(batch.getIdempotencyKey()).isEqualTo(key);
                for (PaymentRequest payment : batch.getPayments()) {
                    assertThat(io.paystream.schemas.Partitions.of(payment.getFrom(), PARTITIONS))
                            .as("payer %s is on the record's partition", payment.getFrom()).isEqualTo(partition);
                    assertThat(payment.getBatchId()).isEqualTo(batchId);
                }
                written.addAll(batch.getPayments());
            });
            assertThat(records.size()).as("eight payers on three partitions: a record for each, not one per payment")
                    .isEqualTo(PARTITIONS);
            assertThat(written).extracting(PaymentRequest::getBatchIndex).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.IntStream.range(0, 40).boxed().toList());
            PaymentRequest seventh = written.stream().filter(p -> p.getBatchIndex() == 7).findFirst().orElseThrow();
            assertThat(seventh).isEqualTo(PaymentRequest.newBuilder()
                    .setPaymentId(io.paystream.schemas.BatchIds.paymentId(batchId, 7)).setType(PaymentType.TRANSFER)
                    .setFrom("heidi").setTo("merchant").setAmount(107).setCurrency("USD").setClientId("local-dev")
                    .setIdempotencyKey(key).setBatchId(batchId).setBatchIndex(7).setBatchSize(40).build());
        }

        @Test
        void anInvalidPaymentRefusesTheWholeBatchNamingItsIndexAndNothingIsWritten() throws Exception {
            String body = batchOf(5, index -> transfer("alice", "bob", index == 3 ? "0" : "10"));
            JsonNode error = assertRefused(http.post("/v1/payment-batches", body).key(ADMIN_KEY)
                    .idempotencyKey("bad-" + UUID.randomUUID()), 422, "invalid_field", "payments[3].amount");
            assertThat(error.get("message").asText()).startsWith("payments[3]: ");
        }

        @Test
        void aPaymentFromAnAccountTheKeyDoesNotOwnRefusesTheBatch() throws Exception {
            String body = batchOf(3, index -> transfer(index == 2 ? "globex-1" : "acme-1", "bob", "10"));
            assertRefused(http.post("/v1/payment-batches", body).key(ACME_KEY)
                    .idempotencyKey("bad-" + UUID.randomUUID()), 403, "account_not_owned", "payments[2].from");
        }

        @Test
        void anAtomicBatchNamesOneCoordinatorInEveryRecord() throws Exception {
            String key = "split-" + UUID.randomUUID();
            String[] payers = {"alice", "bob", "carol", "dave", "erin", "frank"};
            HttpResponse<String> response = http.post("/v1/payment-batches", "{\"atomic\":true,\"payments\":["
                    + String.join(",", java.util.Arrays.stream(payers).map(payer -> transfer(payer, "merchant", "5"))
                            .toList()) + "]}").key(ADMIN_KEY).idempotencyKey(key).send();

            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            Map<Integer, List<PaymentBatch>> records = recordsOf(json(response).get("batchId").asText());
            assertThat(records.values()).as("one record per partition, each marked atomic, each naming payment 0's "
                    + "payer as the coordinator").isNotEmpty().allSatisfy(batches -> assertThat(batches)
                    .singleElement().satisfies(batch -> {
                        assertThat(batch.getAtomic()).isTrue();
                        assertThat(batch.getCoordinator()).isEqualTo("alice");
                    }));
        }

        @Test
        void anAtomicBatchTakesOnlyTransfersAndPaymentsCapturedAutomatically() throws Exception {
            assertRefused(http.post("/v1/payment-batches", "{\"atomic\":true,\"payments\":["
                    + transfer("alice", "bob", "1") + ",{\"type\":\"TOPUP\",\"to\":\"bob\",\"amount\":1,"
                    + "\"currency\":\"USD\"}]}").key(ADMIN_KEY).idempotencyKey("bad-" + UUID.randomUUID()), 422,
                    "invalid_field", "payments[1].type");
            assertRefused(http.post("/v1/payment-batches", "{\"atomic\":true,\"payments\":[{\"type\":"
                    + "\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\","
                    + "\"capture\":\"MANUAL\"}]}").key(ADMIN_KEY).idempotencyKey("bad-" + UUID.randomUUID()), 422,
                    "invalid_field", "payments[0].capture");
        }

        @Test
        void anEmptyBatchAndOneOver1000PaymentsAre422() throws Exception {
            assertRefused(http.post("/v1/payment-batches", "{\"payments\":[]}").key(ADMIN_KEY)
                    .idempotencyKey("bad-" + UUID.randomUUID()), 422, "invalid_field", "payments");
            assertRefused(http.post("/v1/payment-batches", batchOf(1_001, index -> "{\"type\":\"TRANSFER\","
                    + "\"from\":\"a\",\"to\":\"b\",\"amount\":1,\"currency\":\"USD\"}")).key(ADMIN_KEY)
                    .idempotencyKey("bad-" + UUID.randomUUID()), 422, "invalid_field", "payments");
        }

        @Test
        void aBatchOver1MibIs413AndOneOver64KibIsAccepted() throws Exception {
            String padding = "x".repeat(140);
            String big = batchOf(1_000, index -> "{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\","
                    + "\"amount\":1,\"currency\":\"USD\",\"reference\":\"" + padding + "\",\"metadata\":{"
                    + "\"a\":\"" + "y".repeat(900) + "\"}}");
            assertThat(big.length()).isGreaterThan(1_048_576);
            assertRefused(http.post("/v1/payment-batches", big).key(ADMIN_KEY)
                    .idempotencyKey("bad-" + UUID.randomUUID()), 413, "payload_too_large", null);
            String underBatchLimit = batchOf(1_000, index -> transfer("alice", "bob", "1"));
            assertThat(underBatchLimit.length()).as("over a single payment's 64 KiB, under a batch's 1 MiB")
                    .isBetween(64 * 1024 + 1, 1_048_576);
            HttpResponse<String> accepted = http.post("/v1/payment-batches", underBatchLimit).key(ADMIN_KEY)
                    .idempotencyKey("big-" + UUID.randomUUID()).send();
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        }
    }

    @Nested
    class HappyPaths {
        @Test
        void aTransferIsAcceptedAfterTheBrokerAcknowledgedTheExactRecord() throws Exception {
            String key = "order-" + UUID.randomUUID();
            HttpResponse<String> response = http.post("/v1/payments", "{\"type\":\"TRANSFER\",\"from\":\"alice\","
                    + "\"to\":\"bob\",\"amount\":1050,\"currency\":\"USD\",\"reference\":\"invoice 17\","
                    + "\"metadata\":{\"order\":\"A-17\"}}").key(ADMIN_KEY).idempotencyKey(key).send();

            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            String paymentId = json(response).get("paymentId").asText();
            assertThat(json(response).get("status").asText()).isEqualTo("PENDING");
            assertThat(paymentId).isEqualTo(IDS.derive("local-dev", "alice", key));
            assertThat(requestFor(paymentId)).isEqualTo(PaymentRequest.newBuilder()
                    .setPaymentId(paymentId).setType(PaymentType.TRANSFER).setFrom("alice").setTo("bob")
                    .setAmount(1050).setCurrency("USD").setReference("invoice 17")
                    .setMetadata(Map.of("order", "A-17")).setClientId("local-dev").setIdempotencyKey(key).build());
        }

        @ParameterizedTest
        @CsvSource({
            "TOPUP, , acme-1, acme-treasury-key, acme",
            "WITHDRAWAL, acme-1, , acme-key, acme",
            "PAYMENT, acme-1, shop-9, acme-key, acme"})
        void everyPaymentTypeIsAccepted(PaymentType type, String from, String to, String apiKey, String clientId)
                throws Exception {
            String body = "{\"type\":\"" + type + "\"" + (from == null ? "" : ",\"from\":\"" + from + "\"")
                    + (to == null ? "" : ",\"to\":\"" + to + "\"") + ",\"amount\":1,\"currency\":\"EUR\"}";
            String key = type + "-" + UUID.randomUUID();
            HttpResponse<String> response = http.post("/v1/payments", body).key(apiKey).idempotencyKey(key).send();

            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            String paymentId = json(response).get("paymentId").asText();
            assertThat(requestFor(paymentId)).isEqualTo(PaymentRequest.newBuilder()
                    .setPaymentId(IDS.derive(clientId,
                            io.paystream.schemas.validation.PaymentRequestRules.firstLegAccount(type, from, to), key)).setType(type).setFrom(from).setTo(to)
                    .setAmount(1).setCurrency("EUR").setReference(null).setMetadata(Map.of())
                    .setClientId(clientId).setIdempotencyKey(key).build());
        }

        @Test
        void aManualCaptureCarriesItsHoldToKafka() throws Exception {
            String key = "hold-" + UUID.randomUUID();
            HttpResponse<String> response = http.post("/v1/payments", "{\"type\":\"PAYMENT\",\"from\":\"acme-1\","
                    + "\"to\":\"shop\",\"amount\":700,\"currency\":\"USD\",\"capture\":\"MANUAL\","
                    + "\"holdExpiresInSeconds\":3600}").key(ACME_KEY).idempotencyKey(key).send();

            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            PaymentRequest record = requestFor(json(response).get("paymentId").asText());
            assertThat(record.getCapture()).isEqualTo(io.paystream.schemas.avro.CaptureMode.MANUAL);
            assertThat(record.getHoldExpiresInSeconds()).isEqualTo(3600L);
        }

        @Test
        void anAccountOpenIsAccepted() throws Exception {
            HttpResponse<String> response = http.post("/v1/accounts", "{\"accountId\":\"acme-new\","
                    + "\"currency\":\"GBP\",\"type\":\"MERCHANT\",\"overdraftLimit\":500,"
                    + "\"email\":\"billing@acme.example\"}").key(TREASURY_KEY).send();

            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(json(response).get("accountId").asText()).isEqualTo("acme-new");
            assertThat(json(response).get("status").asText()).isEqualTo("PENDING");
            AccountRequest record = recordFor(Topics.ACCOUNT_REQUESTS, "acme-new");
            assertThat(record.getCommand()).isEqualTo(AccountCommandType.OPEN);
            assertThat(record.getCurrency()).isEqualTo("GBP");
            assertThat(record.getAccountType()).isEqualTo(AccountType.MERCHANT);
            assertThat(record.getOverdraftLimit()).isEqualTo(500L);
            assertThat(record.getClientId()).isEqualTo("acme");
            assertThat(record.getEmail()).isEqualTo("billing@acme.example");
            assertThat(UUID.fromString(record.getRequestId())).isNotNull();
        }

        @Test
        void aRetryWithTheSameKeyIsTheSamePaymentAndStillReachesKafka() throws Exception {
            String key = "retry-" + UUID.randomUUID();
            long before = kafka.endOffsetSum(Topics.PAYMENT_REQUESTS.name());
            HttpResponse<String> first = http.post("/v1/payments", transfer("alice", "bob", "5")).key(ADMIN_KEY)
                    .idempotencyKey(key).send();
            HttpResponse<String> second = http.post("/v1/payments", transfer("alice", "bob", "5")).key(ADMIN_KEY)
                    .idempotencyKey(key).send();
            HttpResponse<String> otherClient = http.post("/v1/payments", transfer("acme-1", "bob", "5"))
                    .key(ACME_KEY).idempotencyKey(key).send();

            assertThat(first.statusCode()).isEqualTo(202);
            assertThat(second.statusCode()).isEqualTo(202);
            assertThat(json(second).get("paymentId")).isEqualTo(json(first).get("paymentId"));
            assertThat(json(otherClient).get("paymentId")).isNotEqualTo(json(first).get("paymentId"));
            assertThat(kafka.endOffsetSum(Topics.PAYMENT_REQUESTS.name())).isEqualTo(before + 3);
        }
    }

    @Nested
    class BadInput {
        private IngressHttp.Request payment(String body) {
            return http.post("/v1/payments", body).key(ADMIN_KEY).idempotencyKey("bad-" + UUID.randomUUID());
        }

        @Test
        void malformedJsonIs400() throws Exception {
            assertRefused(payment("{\"type\":\"TRANSFER\","), 400, "malformed_json", null);
            assertRefused(payment("not json"), 400, "malformed_json", null);
        }

        @Test
        void unknownFieldsAre422NamingTheField() throws Exception {
            assertRefused(payment("{\"type\":\"TRANSFER\",\"from\":\"a\",\"to\":\"b\",\"amount\":1,"
                    + "\"currency\":\"USD\",\"colour\":\"red\"}"), 422, "unknown_field", "colour");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {"10.5", "1e3", "\"10\"", "10.0", "true"})
        void amountsThatAreNotJsonIntegersAre422(String amount) throws Exception {
            assertRefused(payment(transfer("alice", "bob", amount)), 422, "invalid_type", "amount");
        }

        @ParameterizedTest
        @CsvSource({
            "'{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":0,\"currency\":\"USD\"}', amount",
            "'{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":1000000000000001,\"currency\":\"USD\"}', amount",
            "'{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":-5,\"currency\":\"USD\"}', amount",
            "'{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"currency\":\"usd\"}', currency",
            "'{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"currency\":\"XYZ\"}', currency",
            "'{\"type\":\"TRANSFER\",\"from\":\"bad id\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\"}', from",
            "'{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"alice\",\"amount\":1,\"currency\":\"USD\"}', to",
            "'{\"type\":\"TRANSFER\",\"from\":\"alice\",\"amount\":1,\"currency\":\"USD\"}', to",
            "'{\"type\":\"TOPUP\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\"}', from",
            "'{\"type\":\"WITHDRAWAL\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\"}', to",
            // Free text with a bidi override (Trojan Source) or a control character.
            "'{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\","
                    + "\"reference\":\"refund \\u202E001\"}', reference",
            "'{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\","
                    + "\"metadata\":{\"note\":\"a\\nb\"}}', metadata.note"})
        void invalidFieldsAre422NamingTheField(String body, String field) throws Exception {
            assertRefused(payment(body), 422, "invalid_field", field);
        }

        @Test
        void missingRequiredFieldsAre422() throws Exception {
            assertRefused(payment("{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\",\"currency\":\"USD\"}"),
                    422, "missing_field", "amount");
            assertRefused(payment("{\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\"}"),
                    422, "missing_field", "type");
        }

        @Test
        void anUnknownPaymentTypeIs422() throws Exception {
            assertRefused(payment("{\"type\":\"GIFT\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,"
                    + "\"currency\":\"USD\"}"), 422, "invalid_type", "type");
        }

        @Test
        void referenceAndMetadataAreBounded() throws Exception {
            assertRefused(payment("{\"type\":\"TOPUP\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\","
                    + "\"reference\":\"" + "r".repeat(141) + "\"}"), 422, "invalid_field", "reference");
            StringBuilder metadata = new StringBuilder("{");
            for (int i = 0; i < 21; i++) {
                metadata.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
            }
            assertRefused(payment("{\"type\":\"TOPUP\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\","
                    + "\"metadata\":" + metadata + "}}"), 422, "invalid_field", "metadata");
            assertRefused(payment("{\"type\":\"TOPUP\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\","
                    + "\"metadata\":{\"n\":5}}"), 422, "invalid_type", "metadata.n");
        }

        @Test
        void theIdempotencyKeyIsRequiredAndBounded() throws Exception {
            assertRefused(http.post("/v1/payments", transfer("alice", "bob", "1")).key(ADMIN_KEY), 422,
                    "missing_header", "Idempotency-Key");
            assertRefused(http.post("/v1/payments", transfer("alice", "bob", "1")).key(ADMIN_KEY)
                    .idempotencyKey("k".repeat(256)), 422, "invalid_header", "Idempotency-Key");
        }

        @Test
        void aBodyOver64KibIs413() throws Exception {
            String huge = "{\"type\":\"TOPUP\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\",\"reference\":\""
                    + "x".repeat(70_000) + "\"}";
            assertRefused(payment(huge), 413, "payload_too_large", null);
        }

        @Test
        void aWrongContentTypeIs415() throws Exception {
            assertRefused(payment(transfer("alice", "bob", "1")).contentType("text/plain"), 415,
                    "unsupported_media_type", null);
        }

        @Test
        void jerseysOwnErrorsUseTheErrorShape() throws Exception {
            assertRefused(http.get("/v1/nothing-here").key(ADMIN_KEY), 404, "not_found", null);
            assertRefused(http.get("/v1/payments").key(ADMIN_KEY), 405, "method_not_allowed", null);
        }

        @Test
        void anInvalidAccountIs422() throws Exception {
            assertRefused(http.post("/v1/accounts", "{\"accountId\":\"acme-x\",\"currency\":\"EURO\","
                    + "\"type\":\"CUSTOMER\"}").key(ADMIN_KEY), 422, "invalid_field", "currency");
            assertRefused(http.post("/v1/accounts", "{\"accountId\":\"acme-x\",\"currency\":\"EUR\","
                    + "\"type\":\"CUSTOMER\",\"overdraftLimit\":-1}").key(ADMIN_KEY), 422, "invalid_field",
                    "overdraftLimit");
            assertRefused(http.post("/v1/accounts", "{\"accountId\":\"-x\",\"currency\":\"EUR\","
                    + "\"type\":\"CUSTOMER\"}").key(ADMIN_KEY), 422, "invalid_field", "accountId");
            assertRefused(http.post("/v1/accounts", "{\"accountId\":\"acme-x\",\"currency\":\"EUR\","
                    + "\"type\":\"CUSTOMER\",\"email\":\"a@b.c\\r\\nBcc: eve@evil.example\"}").key(ADMIN_KEY), 422,
                    "invalid_field", "email");
        }
    }

    /** Capture and void: what the ingress refuses on its own, before and without a processor. */
    @Nested
    class Actions {
        private static final String SOME_PAYMENT = "0b7d6a4e-1f35-8c2a-9e41-7d2f3c5b6a10";

        @Test
        void badInputIs422NamingTheFieldAndNothingIsWritten() throws Exception {
            assertRefused(http.post("/v1/payments/not-a-uuid/capture", "{}").key(ACME_KEY).idempotencyKey("c1"),
                    422, "invalid_field", "paymentId");
            assertRefused(http.post("/v1/payments/" + SOME_PAYMENT + "/capture", "{\"amount\":0}").key(ACME_KEY)
                    .idempotencyKey("c2"), 422, "invalid_field", "amount");
            assertRefused(http.post("/v1/payments/" + SOME_PAYMENT + "/void", null).key(ACME_KEY), 422,
                    "missing_header", "Idempotency-Key");
            assertRefused(http.post("/v1/payments/" + SOME_PAYMENT + "/capture", "{\"amount\":1,\"extra\":2}")
                    .key(ACME_KEY).idempotencyKey("c3"), 422, "unknown_field", "extra");
            assertRefused(http.post("/v1/payments", "{\"type\":\"WITHDRAWAL\",\"from\":\"acme-1\",\"amount\":5,"
                    + "\"currency\":\"USD\",\"capture\":\"MANUAL\"}").key(ACME_KEY).idempotencyKey("w-manual"),
                    422, "invalid_field", "capture");
        }

        @Test
        void aBadRefundIs422NamingTheFieldAndNothingIsWritten() throws Exception {
            long before = produced();
            String refunds = "/v1/payments/" + SOME_PAYMENT + "/refunds";
            assertRefused(http.post("/v1/payments/NOT-A-UUID/refunds", "{\"amount\":5}").key(ACME_KEY)
                    .idempotencyKey("r1"), 422, "invalid_field", "paymentId");
            assertRefused(http.post(refunds, "{}").key(ACME_KEY).idempotencyKey("r2"), 422, "invalid_field",
                    "amount");
            assertRefused(http.post(refunds, "{\"amount\":-3}").key(ACME_KEY).idempotencyKey("r3"), 422,
                    "invalid_field", "amount");
            assertRefused(http.post(refunds, "{\"amount\":5,\"reason\":\"ok \\u202e evil\"}").key(ACME_KEY)
                    .idempotencyKey("r4"), 422, "invalid_field", "reason");
            assertRefused(http.post(refunds, "{\"amount\":5,\"reason\":\"" + "x".repeat(141) + "\"}")
                    .key(ACME_KEY).idempotencyKey("r5"), 422, "invalid_field", "reason");
            assertRefused(http.post(refunds, "{\"amount\":5}").key(ACME_KEY), 422, "missing_header",
                    "Idempotency-Key");
            assertRefused(http.post(refunds, null).key(ACME_KEY).idempotencyKey("r6"), 422, "missing_field", "body");
            assertRefused(http.post(refunds, "{\"amount\":5}").key(READER_KEY).idempotencyKey("r7"), 403,
                    "forbidden", null);
            assertThat(produced()).isEqualTo(before);
        }

        @Test
        void onlyAKeyThatPaysMayCaptureOrVoid() throws Exception {
            assertRefused(http.post("/v1/payments/" + SOME_PAYMENT + "/void", null).key(READER_KEY)
                    .idempotencyKey("v1"), 403, "forbidden", null);
            assertRefused(http.post("/v1/payments/" + SOME_PAYMENT + "/capture", null).key(READER_KEY)
                    .idempotencyKey("v2"), 403, "forbidden", null);
        }

        @Test
        void withoutTheQueryApiTheAnswerIs503WithRetryAfterAndNothingIsWritten() throws Exception {
            long before = produced();
            HttpResponse<String> response = http.post("/v1/payments/" + SOME_PAYMENT + "/capture", "{\"amount\":5}")
                    .key(ACME_KEY).idempotencyKey("c-offline").send();

            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(response).get("error").get("code").asText()).isEqualTo("payment_lookup_unavailable");
            assertThat(response.body()).doesNotContain("127.0.0.1").doesNotContain("Exception");
            assertThat(produced()).isEqualTo(before);
        }
    }

    @Nested
    class WebhookEndpoints {
        private static final String RECEIVER = "http://127.0.0.1:9/hooks";

        @Test
        void aTenantRegistersListsRotatesAndDeletesItsOwnEndpoints() throws Exception {
            HttpResponse<String> created = http.post("/v1/webhook-endpoints", "{\"url\":\"" + RECEIVER
                    + "\",\"events\":[\"payment.completed\",\"account.credited\"],\"description\":\"shop\"}")
                    .key(HOOKS_KEY).send();
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode endpoint = json(created);
            String id = endpoint.get("id").asText();
            String secret = endpoint.get("secret").asText();
            assertThat(id).matches("we_[0-9a-f]{24}");
            assertThat(secret).matches("whsec_[A-Za-z0-9_-]{43}");
            assertThat(endpoint.get("status").asText()).isEqualTo("ENABLED");
            WebhookEndpoint record = recordFor(Topics.WEBHOOK_ENDPOINTS, id);
            assertThat(record.getClientId()).isEqualTo("acme");
            assertThat(record.getOwnedAccountPrefixes()).containsExactly("acme-");
            assertThat(record.getAdmin()).isFalse();
            assertThat(record.getSecret()).isEqualTo(secret);
            assertThat(record.getEvents()).containsExactly("payment.completed", "account.credited");

            // Listed and read by its owner, without the secret; invisible to another tenant.
            JsonNode listed = json(http.get("/v1/webhook-endpoints").key(HOOKS_KEY).send()).get("data");
            assertThat(listed).extracting(node -> node.get("id").asText()).contains(id);
            assertThat(listed.toString()).doesNotContain(secret).doesNotContain("whsec_");
            assertThat(json(http.get("/v1/webhook-endpoints/" + id).key(HOOKS_KEY).send()).get("url").asText())
                    .isEqualTo(RECEIVER);
            assertThat(json(http.get("/v1/webhook-endpoints").key(GLOBEX_KEY).send()).get("data").toString())
                    .doesNotContain(id);
            assertRefused(http.get("/v1/webhook-endpoints/" + id).key(GLOBEX_KEY), 404, "endpoint_not_found", "id");
            assertRefused(http.delete("/v1/webhook-endpoints/" + id).key(GLOBEX_KEY), 404, "endpoint_not_found",
                    "id");
            assertThat(json(http.get("/v1/webhook-endpoints").key(ADMIN_KEY).send()).get("data").toString())
                    .contains(id);

            HttpResponse<String> rotated = http.post("/v1/webhook-endpoints/" + id + "/rotate-secret", null)
                    .key(HOOKS_KEY).send();
            assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
            String newSecret = json(rotated).get("secret").asText();
            assertThat(newSecret).startsWith("whsec_").isNotEqualTo(secret);
            await().atMost(SETTLE).untilAsserted(() -> {
                WebhookEndpoint latest = recordFor(Topics.WEBHOOK_ENDPOINTS, id);
                assertThat(latest.getSecret()).isEqualTo(newSecret);
                assertThat(latest.getPreviousSecret()).isEqualTo(secret);
                assertThat(latest.getPreviousSecretExpiresAtMs()).isGreaterThan(System.currentTimeMillis()
                        + Duration.ofHours(23).toMillis());
            });

            HttpResponse<String> deleted = http.delete("/v1/webhook-endpoints/" + id).key(HOOKS_KEY).send();
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
            assertThat(json(http.get("/v1/webhook-endpoints").key(HOOKS_KEY).send()).get("data").toString())
                    .doesNotContain(id);
            assertRefused(http.get("/v1/webhook-endpoints/" + id).key(HOOKS_KEY), 404, "endpoint_not_found", "id");
            try (var reader = kafka.reader(Topics.WEBHOOK_ENDPOINTS)) {
                await().atMost(SETTLE).until(() -> reader.records().stream()
                        .filter(r -> id.equals(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)))
                        .reduce((first, second) -> second).map(r -> r.value() == null).orElse(false));
            }
        }

        @Test
        void urlsThatReachInternalNetworksAndOtherBadInputAre422AndNothingIsWritten() throws Exception {
            for (String url : List.of("ftp://127.0.0.1/x", "http://10.0.0.7/hook", "http://169.254.169.254/latest",
                    "http://[fd00::1]/", "http://user:pw@127.0.0.1/", "file:///etc/passwd", "not a url")) {
                assertRefused(http.post("/v1/webhook-endpoints", "{\"url\":\"" + url + "\"}").key(HOOKS_KEY),
                        422, "invalid_field", "url");
            }
            assertRefused(http.post("/v1/webhook-endpoints", "{\"events\":[\"payment.completed\"]}")
                    .key(HOOKS_KEY), 422, "invalid_field", "url");
            assertRefused(http.post("/v1/webhook-endpoints", "{\"url\":\"" + RECEIVER
                    + "\",\"events\":[\"payment.exploded\"]}").key(HOOKS_KEY), 422, "invalid_field", "events");
            assertRefused(http.post("/v1/webhook-endpoints", "{\"url\":\"" + RECEIVER + "\",\"description\":\""
                    + "x".repeat(257) + "\"}").key(HOOKS_KEY), 422, "invalid_field", "description");
            assertRefused(http.post("/v1/webhook-endpoints", "{\"url\":\"" + RECEIVER + "\",\"secret\":\"mine\"}")
                    .key(HOOKS_KEY), 422, "unknown_field", "secret");
            assertRefused(http.post("/v1/webhook-endpoints", "{\"url\":\"" + RECEIVER + "\"}").key(ACME_KEY),
                    403, "forbidden", null);
            assertRefused(http.get("/v1/webhook-endpoints/we_NOT-AN-ID").key(HOOKS_KEY), 404, "endpoint_not_found",
                    "id");
        }

        @Test
        void aClientHasAtMostSixteenEndpointsEvenWhenItRegistersThemAllAtOnce() throws Exception {
            java.util.concurrent.ExecutorService racing = java.util.concurrent.Executors.newFixedThreadPool(24);
            List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String url = RECEIVER + i;
                answers.add(racing.submit(() -> http.post("/v1/webhook-endpoints", "{\"url\":\"" + url + "\"}")
                        .key(GLOBEX_KEY).send()));
            }
            Map<Integer, Integer> statuses = new java.util.TreeMap<>();
            List<String> refusals = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<HttpResponse<String>> answer : answers) {
                statuses.merge(answer.get().statusCode(), 1, Integer::sum);
                if (answer.get().statusCode() != 201) {
                    refusals.add(answer.get().body());
                }
            }
            racing.shutdown();
            assertThat(statuses).as("24 registrations at once; refused: %s", refusals)
                    .isEqualTo(Map.of(201, 16, 422, 8));
            assertRefused(http.post("/v1/webhook-endpoints", "{\"url\":\"" + RECEIVER + "\"}").key(GLOBEX_KEY),
                    422, "too_many_endpoints", null);
            // Another tenant is not counted against it.
            HttpResponse<String> acme = http.post("/v1/webhook-endpoints", "{\"url\":\"" + RECEIVER + "\"}")
                    .key(HOOKS_KEY).send();
            assertThat(acme.statusCode()).as(acme.body()).isEqualTo(201);
        }
    }

    /**
     * An endpoint receives what its client's keys allow now: an ingress started with globex's keys stripped of
     * webhooks:write disables globex's endpoints in the registry, and the webhook sink delivers to none of them.
     */
    @Test
    void anIngressStartedWithNewKeysBringsTheRegisteredEndpointsInLine() throws Exception {
        HttpResponse<String> created = http.post("/v1/webhook-endpoints", "{\"url\":\"http://127.0.0.1:9/line\"}")
                .key(GLOBEX_KEY).send();
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json(created).get("id").asText();
        DropwizardTestSupport<IngressConfiguration> restarted = ingress(kafka.bootstrapServers(),
                ConfigOverride.config("apiKeys[5].scopes[0]", "accounts:read"),
                ConfigOverride.config("apiKeys[5].scopes[1]", "accounts:read"));
        restarted.before();
        try {
            await().atMost(SETTLE).until(() -> recordFor(Topics.WEBHOOK_ENDPOINTS, id).getStatus()
                    == io.paystream.schemas.avro.WebhookEndpointStatus.DISABLED);
            assertThat(recordFor(Topics.WEBHOOK_ENDPOINTS, id).getDisabledReason())
                    .isEqualTo(io.paystream.ingress.core.EndpointPrivileges.NO_LONGER_ALLOWED);
        } finally {
            restarted.after();
        }
        // Out of the way of the other tests' counts of globex's endpoints.
        assertThat(http.delete("/v1/webhook-endpoints/" + id).key(GLOBEX_KEY).send().statusCode()).isEqualTo(200);
    }

    @Nested
    class Auth {
        @Test
        void noKeyOrAWrongKeyIs401WithAChallenge() throws Exception {
            long before = produced();
            HttpResponse<String> none = http.post("/v1/payments", transfer("alice", "bob", "1"))
                    .idempotencyKey("k").send();
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    value -> assertThat(value).startsWith("Bearer"));
            assertThat(json(none).get("error").get("code").asText()).isEqualTo("unauthenticated");
            assertRefused(http.post("/v1/payments", transfer("alice", "bob", "1")).key("wrong-key")
                    .idempotencyKey("k"), 401, "unauthenticated", "Authorization");
            assertThat(produced()).isEqualTo(before);
        }

        /** A key in a URL lands in access logs, proxies and browser history: it is never read from there. */
        @Test
        void aKeyInTheUrlIsNeverAccepted() throws Exception {
            assertRefused(http.post("/v1/payments?access_token=" + ADMIN_KEY, transfer("alice", "bob", "1"))
                    .idempotencyKey("url-" + UUID.randomUUID()), 401, "unauthenticated", "Authorization");
            assertRefused(http.post("/v1/accounts?access_token=" + ADMIN_KEY, "{\"accountId\":\"acme-url\","
                    + "\"currency\":\"EUR\",\"type\":\"CUSTOMER\"}"), 401, "unauthenticated", "Authorization");
        }

        @Test
        void aKeyWithoutTheScopeIs403() throws Exception {
            assertRefused(http.post("/v1/payments", transfer("acme-1", "bob", "1")).key(READER_KEY)
                    .idempotencyKey("k"), 403, "forbidden", null);
            assertRefused(http.post("/v1/accounts", "{\"accountId\":\"acme-z\",\"currency\":\"EUR\","
                    + "\"type\":\"CUSTOMER\"}").key(READER_KEY), 403, "forbidden", null);
        }

        @Test
        void aKeyMayDebitOnlyItsOwnAccounts() throws Exception {
            assertRefused(http.post("/v1/payments", transfer("alice", "acme-1", "1")).key(ACME_KEY)
                    .idempotencyKey("k"), 403, "account_not_owned", "from");
            assertRefused(http.post("/v1/payments", "{\"type\":\"TOPUP\",\"to\":\"alice\",\"amount\":1,"
                    + "\"currency\":\"USD\"}").key(TREASURY_KEY).idempotencyKey("k"), 403, "account_not_owned",
                    "to");
            assertRefused(http.post("/v1/accounts", "{\"accountId\":\"zeta\",\"currency\":\"EUR\","
                    + "\"type\":\"CUSTOMER\"}").key(ACME_KEY), 403, "account_not_owned", "accountId");
            assertThat(http.post("/v1/payments", transfer("acme-1", "alice", "1")).key(ACME_KEY)
                    .idempotencyKey("own-" + UUID.randomUUID()).send().statusCode()).isEqualTo(202);
        }

        /** A top-up creates money. A tenant that could post one would mint balances and spend them on others. */
        @Test
        void onlyAKeyWithFundsWriteMayTopUp() throws Exception {
            String topUp = "{\"type\":\"TOPUP\",\"to\":\"acme-1\",\"amount\":1000000000000000,"
                    + "\"currency\":\"USD\"}";
            JsonNode error = assertRefused(http.post("/v1/payments", topUp).key(ACME_KEY).idempotencyKey("mint"), 403,
                    "scope_required", "type");
            assertThat(error.get("message").asText()).contains("funds:write");

            assertThat(http.post("/v1/payments", topUp).key(TREASURY_KEY).idempotencyKey("fund-" + UUID.randomUUID())
                    .send().statusCode()).isEqualTo(202);
            assertThat(http.post("/v1/payments", topUp).key(ADMIN_KEY).idempotencyKey("fund-" + UUID.randomUUID())
                    .send().statusCode()).isEqualTo(202);
            // A withdrawal spends the payer's own money, so the payer's owner may still post it without the scope.
            assertThat(http.post("/v1/payments", "{\"type\":\"WITHDRAWAL\",\"from\":\"acme-1\",\"amount\":5,"
                    + "\"currency\":\"USD\"}").key(ACME_KEY).idempotencyKey("out-" + UUID.randomUUID()).send()
                    .statusCode()).isEqualTo(202);
        }

        /** An overdraft limit is credit: the account may spend money it does not have. */
        @Test
        void anOwnerMayTopUpByCardWithoutFundsWrite() throws Exception {
            HttpResponse<String> card = http.post("/v1/payments", "{\"type\":\"TOPUP\",\"to\":\"acme-1\","
                    + "\"amount\":2500,\"currency\":\"USD\",\"source\":{\"type\":\"CARD\",\"token\":\"tok_visa\"}}")
                    .key(ACME_KEY).idempotencyKey("card-1").send();
            assertThat(card.statusCode()).as(card.body()).isEqualTo(202);
            PaymentRequest record = requestFor(json(card).get("paymentId").asText());
            assertThat(record.getSource().getToken()).isEqualTo("tok_visa");
            assertThat(record.getType()).isEqualTo(PaymentType.TOPUP);

            assertRefused(http.post("/v1/payments", "{\"type\":\"TOPUP\",\"to\":\"globex-1\",\"amount\":2500,"
                    + "\"currency\":\"USD\",\"source\":{\"type\":\"CARD\",\"token\":\"tok_visa\"}}").key(ACME_KEY)
                    .idempotencyKey("card-2"), 403, "account_not_owned", "to");
            assertRefused(http.post("/v1/payments", "{\"type\":\"TOPUP\",\"to\":\"acme-1\",\"amount\":2500,"
                    + "\"currency\":\"USD\",\"source\":{\"type\":\"CARD\",\"token\":\"4242424242424242\"}}")
                    .key(ACME_KEY).idempotencyKey("card-3"), 422, "invalid_field", "source.token");
            assertRefused(http.post("/v1/payments", "{\"type\":\"TOPUP\",\"to\":\"acme-1\",\"amount\":2500,"
                    + "\"currency\":\"USD\",\"source\":{\"token\":\"tok_visa\"}}").key(ACME_KEY)
                    .idempotencyKey("card-4"), 422, "missing_field", "source.type");
            assertRefused(http.post("/v1/payments", "{\"type\":\"TRANSFER\",\"from\":\"acme-1\",\"to\":\"acme-2\","
                    + "\"amount\":5,\"currency\":\"USD\",\"source\":{\"type\":\"CARD\",\"token\":\"tok_visa\"}}")
                    .key(ACME_KEY).idempotencyKey("card-5"), 422, "invalid_field", "source");
            assertRefused(http.post("/v1/payments", "{\"type\":\"TOPUP\",\"to\":\"acme-1\",\"amount\":2500,"
                    + "\"currency\":\"USD\"}").key(ACME_KEY).idempotencyKey("card-6"), 403, "scope_required", "type");
        }

        @Test
        void onlyAKeyWithCreditWriteMayGrantAnOverdraft() throws Exception {
            JsonNode error = assertRefused(http.post("/v1/accounts", "{\"accountId\":\"acme-credit\","
                    + "\"currency\":\"EUR\",\"type\":\"CUSTOMER\",\"overdraftLimit\":1000000}").key(ACME_KEY), 403,
                    "scope_required", "overdraftLimit");
            assertThat(error.get("message").asText()).contains("credit:write");

            assertThat(http.post("/v1/accounts", "{\"accountId\":\"acme-plain\",\"currency\":\"EUR\","
                    + "\"type\":\"CUSTOMER\",\"overdraftLimit\":0}").key(ACME_KEY).send().statusCode())
                    .as("no credit asked for").isEqualTo(202);
            assertThat(http.post("/v1/accounts", "{\"accountId\":\"acme-credit\",\"currency\":\"EUR\","
                    + "\"type\":\"CUSTOMER\",\"overdraftLimit\":1000000}").key(TREASURY_KEY).send().statusCode())
                    .isEqualTo(202);
        }

        /** The lifecycle of an account: its owner freezes and closes it; lifting a freeze and credit are privileged. */
        @Test
        void anOwnerFreezesAndClosesItsAccountsButNoOneElses() throws Exception {
            for (String command : List.of("freeze", "close")) {
                HttpResponse<String> accepted = http.post("/v1/accounts/acme-life/" + command, null).key(ACME_KEY)
                        .send();
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
                assertThat(json(accepted).get("status").asText()).isEqualTo("PENDING");
                assertThat(recordFor(Topics.ACCOUNT_REQUESTS, "acme-life").getCommand().name())
                        .isEqualTo(command.toUpperCase(java.util.Locale.ROOT));
                assertRefused(http.post("/v1/accounts/globex-1/" + command, null).key(ACME_KEY), 403,
                        "account_not_owned", "accountId");
                assertRefused(http.post("/v1/accounts/acme-life/" + command, null).key(READER_KEY), 403,
                        "forbidden", null);
            }
            assertRefused(http.post("/v1/accounts/not%20an%20id/close", null).key(ADMIN_KEY), 422, "invalid_field",
                    "accountId");
        }

        @Test
        void onlyAnOperatorLiftsAFreeze() throws Exception {
            JsonNode error = assertRefused(http.post("/v1/accounts/acme-frozen/unfreeze", null).key(TREASURY_KEY),
                    403, "scope_required", "accountId");
            assertThat(error.get("message").asText()).contains("admin");

            assertThat(http.post("/v1/accounts/acme-frozen/unfreeze", null).key(ADMIN_KEY).send().statusCode())
                    .isEqualTo(202);
            assertThat(recordFor(Topics.ACCOUNT_REQUESTS, "acme-frozen").getCommand())
                    .isEqualTo(AccountCommandType.UNFREEZE);
        }

        /** SET_LIMIT grants credit like an overdraft at open does, so it needs the same scope. */
        @Test
        void onlyAKeyWithCreditWriteChangesTheLimit() throws Exception {
            JsonNode error = assertRefused(http.put("/v1/accounts/acme-limit/overdraft-limit",
                    "{\"overdraftLimit\":1000000}").key(ACME_KEY), 403, "scope_required", "overdraftLimit");
            assertThat(error.get("message").asText()).contains("credit:write");
            assertRefused(http.put("/v1/accounts/acme-limit/overdraft-limit", "{\"overdraftLimit\":-1}")
                    .key(TREASURY_KEY), 422, "invalid_field", "overdraftLimit");

            assertThat(http.put("/v1/accounts/acme-limit/overdraft-limit", "{\"overdraftLimit\":250}")
                    .key(TREASURY_KEY).send().statusCode()).isEqualTo(202);
            AccountRequest record = recordFor(Topics.ACCOUNT_REQUESTS, "acme-limit");
            assertThat(record.getCommand()).isEqualTo(AccountCommandType.SET_LIMIT);
            assertThat(record.getOverdraftLimit()).isEqualTo(250L);
            assertThat(record.getClientId()).isEqualTo("acme");
        }

        @Test
        void adminMayDoAnything() throws Exception {
            assertThat(http.post("/v1/payments", transfer("anyone", "acme-1", "1")).key(ADMIN_KEY)
                    .idempotencyKey("admin-" + UUID.randomUUID()).send().statusCode()).isEqualTo(202);
            assertThat(http.post("/v1/accounts", "{\"accountId\":\"anyone-2\",\"currency\":\"EUR\","
                    + "\"type\":\"CUSTOMER\"}").key(ADMIN_KEY).send().statusCode()).isEqualTo(202);
        }
    }

    @Nested
    class Operations {
        @Test
        void servesTheOpenApiDocument() throws Exception {
            HttpResponse<String> response = http.get("/openapi.json").send();

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode paths = json(response).get("paths");
            assertThat(paths.has("/v1/payments")).isTrue();
            assertThat(paths.has("/v1/accounts")).isTrue();
        }

        @Test
        void exposesHealthAndMetricsOnTheAdminPort() throws Exception {
            http.post("/v1/payments", transfer("alice", "bob", "1")).key(ADMIN_KEY)
                    .idempotencyKey("metrics-" + UUID.randomUUID()).send();
            http.post("/v1/payments", "{}").key("wrong").send();
            http.post("/v1/payments", transfer("alice", "bob", "0")).key(ADMIN_KEY).idempotencyKey("zero").send();
            IngressHttp admin = new IngressHttp(app.getAdminPort());

            HttpResponse<String> health = admin.get("/healthcheck").send();
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(json(health).get("kafka").get("healthy").asBoolean()).isTrue();

            String metrics = admin.get("/metrics").send().body();
            assertThat(metrics)
                    .containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"202\"[^}]*uri=\"/v1/payments\"")
                    .containsPattern("paystream_ingress_records_produced_total\\{topic=\"payments.requests.v1\"\\}")
                    .containsPattern("paystream_ingress_produce_latency_seconds_count\\{outcome=\"acknowledged\"")
                    .containsPattern("paystream_http_errors_total\\{code=\"unauthenticated\",status=\"401\"\\}")
                    .containsPattern("paystream_http_errors_total\\{code=\"invalid_field\",status=\"422\"\\}")
                    .contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void overTheRateLimitTheAnswerIs429WithRetryAfter() throws Exception {
        DropwizardTestSupport<IngressConfiguration> limited = ingress(kafka.bootstrapServers(),
                ConfigOverride.config("rateLimit.requestsPerSecond", "1"),
                ConfigOverride.config("rateLimit.burst", "2"));
        limited.before();
        try {
            IngressHttp client = new IngressHttp(limited.getLocalPort());
            List<Integer> statuses = new java.util.ArrayList<>();
            HttpResponse<String> last = null;
            for (int i = 0; i < 3; i++) {
                last = client.post("/v1/payments", transfer("alice", "bob", "1")).key(ADMIN_KEY)
                        .idempotencyKey("rate-" + i + "-" + UUID.randomUUID()).send();
                statuses.add(last.statusCode());
            }
            assertThat(statuses).containsExactly(202, 202, 429);
            assertThat(Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 2L);
            assertThat(json(last).get("error").get("code").asText()).isEqualTo("rate_limited");
        } finally {
            limited.after();
        }
    }

    /**
     * Guessing keys from one address is slowed to the limit; requests with a valid key have their own limit, and are
     * never refused for the guesser's failures.
     */
    @Test
    void anAddressThatKeepsFailingAuthenticationGets429() throws Exception {
        DropwizardTestSupport<IngressConfiguration> limited = ingress(kafka.bootstrapServers(),
                ConfigOverride.config("rateLimit.unauthenticatedPerMinute", "3"));
        limited.before();
        try {
            IngressHttp client = new IngressHttp(limited.getLocalPort());
            List<Integer> statuses = new java.util.ArrayList<>();
            HttpResponse<String> last = null;
            for (int i = 0; i < 5; i++) {
                last = client.post("/v1/payments", transfer("alice", "bob", "1")).key("guess-" + i)
                        .idempotencyKey("guess-" + i).send();
                statuses.add(last.statusCode());
            }
            assertThat(statuses).containsExactly(401, 401, 401, 429, 429);
            assertThat(Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
            assertThat(json(last).get("error").get("code").asText()).isEqualTo("rate_limited");
            // Another client behind the same address (a NAT, a proxy) is not locked out by the guesser's failures:
            // a request with a valid key has only its key's limit.
            assertThat(client.post("/v1/payments", transfer("alice", "bob", "1")).key(ADMIN_KEY)
                    .idempotencyKey("after-" + UUID.randomUUID()).send().statusCode()).isEqualTo(202);
            // The guesser cannot step around its bucket by claiming another address: the header is not believed
            // from a peer that is not a configured proxy.
            assertThat(client.post("/v1/payments", transfer("alice", "bob", "1")).key("guess-xff")
                    .header("X-Forwarded-For", "198.51.100.77").idempotencyKey("guess-xff").send().statusCode())
                    .isEqualTo(429);
            String metrics = new IngressHttp(limited.getAdminPort()).get("/metrics").send().body();
            assertThat(metrics).containsPattern(
                    "paystream_ingress_rate_limited_total\\{limit=\"address\"\\} 3.0");
        } finally {
            limited.after();
        }
    }

    /** With adminAuth, the admin port wants basic auth, except the probes' /ping and /healthcheck. */
    @Test
    void theAdminPortCanRequireBasicAuth() throws Exception {
        DropwizardTestSupport<IngressConfiguration> guarded = ingress(kafka.bootstrapServers(),
                ConfigOverride.config("adminAuth.username", "ops"),
                ConfigOverride.config("adminAuth.passwordSha256", ApiKeyAuth.sha256Hex("s3cret-admin")));
        guarded.before();
        try {
            IngressHttp admin = new IngressHttp(guarded.getAdminPort());
            for (String path : new String[] {"/metrics", "/threads", "/tasks/gc"}) {
                HttpResponse<String> none = admin.get(path).send();
                assertThat(none.statusCode()).as(path).isEqualTo(401);
                assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                        value -> assertThat(value).startsWith("Basic"));
                assertThat(admin.get(path).basic("ops", "wrong").send().statusCode()).as(path).isEqualTo(401);
                assertThat(admin.get(path).basic("root", "s3cret-admin").send().statusCode()).as(path)
                        .isEqualTo(401);
            }
            assertThat(admin.get("/metrics").basic("ops", "s3cret-admin").send().body()).contains("jvm_memory");
            assertThat(admin.get("/ping").send().statusCode()).isEqualTo(200);
            assertThat(admin.get("/healthcheck").send().statusCode()).isEqualTo(200);
        } finally {
            guarded.after();
        }
    }

    @Test
    void withTheBrokerUnreachableTheAnswerIs503WithinTheBound() throws Exception {
        // Port 1 on loopback: nothing listens there, so every connection is refused.
        DropwizardTestSupport<IngressConfiguration> orphan = ingress("127.0.0.1:1",
                ConfigOverride.config("producer.produceTimeout", "1s"));
        orphan.before();
        try {
            IngressHttp client = new IngressHttp(orphan.getLocalPort());
            long started = System.nanoTime();
            HttpResponse<String> response = client.post("/v1/payments", transfer("alice", "bob", "1"))
                    .key(ADMIN_KEY).idempotencyKey("down-" + UUID.randomUUID()).send();
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).contains("2");
            assertThat(json(response).get("error").get("code").asText()).isEqualTo("kafka_unavailable");
            assertThat(took).isLessThan(Duration.ofSeconds(4));
            HttpResponse<String> health = new IngressHttp(orphan.getAdminPort()).get("/healthcheck").send();
            assertThat(health.statusCode()).isEqualTo(500);
            assertThat(json(health).get("kafka").get("healthy").asBoolean()).isFalse();
        } finally {
            orphan.after();
        }
    }
}
