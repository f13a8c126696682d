package io.paystream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.sinks.JournalSinkTask;
import io.paystream.sinks.SinkConfig;
import io.paystream.processor.testing.ProcessorUnderTest;
import io.paystream.testing.InProcessKafka;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/accounts/{id}/entries} through HTTP, on the real processor app, reading what the real journal sink
 * task wrote into a real PostgreSQL: oldest first, cursor pagination, signed amounts, and 422 for a bad limit or
 * cursor; and 403 for an account the key does not own, there and for a balance at a point in time.
 */
class HistoryApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static InProcessKafka kafka;
    private static EmbeddedPostgres postgres;
    private static DropwizardTestSupport<ProcessorConfiguration> app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        kafka = InProcessKafka.start();
        postgres = EmbeddedPostgres.builder().start();
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        JournalSinkTask sink = new JournalSinkTask();
        sink.start(Map.of(SinkConfig.JDBC_URL, url, SinkConfig.JDBC_USER, "postgres"));
        List<SinkRecord> records = new ArrayList<>();
        long balance = 0;
        for (int seq = 1; seq <= 7; seq++) {
            long amount = seq % 3 == 0 ? -40 : 100;
            balance += amount;
            records.add(new SinkRecord("payments.audit.v1", 0, null, "acme-h", null, AuditRecord.newBuilder()
                    .setAuditId("p" + seq).setKind(amount < 0 ? AuditKind.DEBIT : AuditKind.CREDIT)
                    .setAccountId("acme-h").setPaymentId(String.format("00000000-0000-0000-0000-%012d", seq))
                    .setAmount(amount).setCurrency("USD").setBalanceAfter(balance).setEntrySeq((long) seq)
                    .setCreatedAtMs(1_700_000_000_000L + seq).build(), seq));
        }
        sink.put(records);
        app = ProcessorUnderTest.on(kafka.bootstrapServers(),
                ConfigOverride.config("streams.applicationId", "paystream-history-it"),
                ConfigOverride.config("database.driverClass", "org.postgresql.Driver"),
                ConfigOverride.config("database.url", url),
                ConfigOverride.config("database.user", "postgres"));
        app.before();
        await().atMost(Duration.ofSeconds(60)).until(() -> app.<ProcessorApplication>getApplication().streams()
                .state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.after();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + path))
                .header("Authorization", "Bearer acme-key").GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pagesThroughTheHistoryOldestFirst() throws Exception {
        List<Long> seen = new ArrayList<>();
        String path = "/v1/accounts/acme-h/entries?limit=3";
        int pages = 0;
        while (path != null && pages < 10) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode page = JSON.readTree(response.body());
            page.get("entries").forEach(entry -> seen.add(entry.get("entrySeq").asLong()));
            pages++;
            path = page.get("next").isNull() ? null
                    : "/v1/accounts/acme-h/entries?limit=3&after=" + page.get("next").asText();
        }
        assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(pages).isEqualTo(3);

        JsonNode third = JSON.readTree(get("/v1/accounts/acme-h/entries?limit=3").body()).get("entries").get(2);
        assertThat(third.get("type").asText()).isEqualTo("DEBIT");
        assertThat(third.get("amount").asLong()).isEqualTo(-40);
        assertThat(third.get("balanceAfter").asLong()).isEqualTo(160);
        assertThat(third.get("paymentId").asText()).isEqualTo("00000000-0000-0000-0000-000000000003");
        assertThat(third.get("createdAt").asText()).isEqualTo("2023-11-14T22:13:20.003Z");
    }

    @Test
    void refusesBadLimitsAndCursorsAndForeignAccounts() throws Exception {
        for (String limit : List.of("0", "501", "abc")) {
            HttpResponse<String> response = get("/v1/accounts/acme-h/entries?limit=" + limit);
            assertThat(response.statusCode()).isEqualTo(422);
            assertThat(response.body()).contains("\"param\":\"limit\"");
        }
        HttpResponse<String> badCursor = get("/v1/accounts/acme-h/entries?after=not-a-cursor");
        assertThat(badCursor.statusCode()).isEqualTo(422);
        assertThat(badCursor.body()).contains("\"param\":\"after\"");
        assertThat(get("/v1/accounts/other/entries").statusCode()).isEqualTo(403);
        assertThat(get("/v1/accounts/other/balance?entrySeq=1").statusCode()).isEqualTo(403);
        assertThat(get("/v1/accounts/other/balance?at=2026-01-01T00:00:00Z").statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(get("/v1/accounts/acme-none/entries").body()).get("entries")).isEmpty();
    }

    @Test
    void reportsTheDatabaseInTheHealthCheck() throws Exception {
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + app.getAdminPort() + "/healthcheck")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(health.body()).get("history-db").get("healthy").asBoolean()).isTrue();
    }
}
