package io.paystream.processor;

import static io.paystream.processor.testing.Fixtures.aTopUp;
import static io.paystream.processor.testing.Fixtures.aTransfer;
import static io.paystream.processor.testing.Fixtures.anAccountRequest;
import static io.paystream.processor.testing.Fixtures.anOpen;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.paystream.processor.stats.StatsScopes;
import io.paystream.processor.testing.Fixtures;
import io.paystream.processor.testing.ProcessorUnderTest;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.stats.StatsKeys;
import io.paystream.schemas.stats.StatsWindow;
import io.paystream.testing.InProcessKafka;
import io.paystream.testing.StatsFromJournal;
import io.paystream.web.auth.ApiClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/stats} and {@code GET /v1/accounts} on two processor instances over three partitions: each answer
 * adds up every partition, whichever instance is asked. After a seeded workload the stats equal those computed from
 * the journal of payments.events.v1, per client scope, and they stay so after one instance leaves and its partitions'
 * stores are restored on the other.
 */
class StatsAndListingIT {
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ACCOUNTS = new ArrayList<>();
    private static final StatsScopes SCOPES = new StatsScopes(List.of(
            new ApiClient("acme", Set.of(), List.of("acme-")), new ApiClient("globex", Set.of(), List.of("globex-"))));
    private static final String ADMIN = "local-dev-key";
    private static final String ACME = "acme-key";

    private static InProcessKafka kafka;
    private static DropwizardTestSupport<ProcessorConfiguration> first;
    private static DropwizardTestSupport<ProcessorConfiguration> second;
    private static int payments;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startTwoInstancesAndRunAWorkload() throws Exception {
        kafka = InProcessKafka.start();
        first = instance();
        first.before();
        second = instance();
        second.before();
        await().atMost(SETTLE).until(() -> running(first) && running(second));

        List<Map.Entry<String, AccountRequest>> opens = new ArrayList<>();
        for (String owner : new String[] {"acme-", "globex-", "plain-"}) {
            for (int i = 0; i < 7; i++) {
                String accountId = owner + String.format("%02d", i);
                ACCOUNTS.add(accountId);
                opens.add(Map.entry(accountId, anOpen(accountId, i % 3 == 2 ? "EUR" : "USD", AccountType.CUSTOMER)
                        .build()));
            }
        }
        opens.add(Map.entry("acme-03", anAccountRequest(AccountCommandType.FREEZE, "acme-03").build()));
        kafka.produce(Topics.ACCOUNT_REQUESTS, opens);
        HttpClient client = HttpClient.newHttpClient();
        await().atMost(SETTLE).until(() -> {
            HttpResponse<String> frozen = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + first.getLocalPort() + "/v1/accounts/acme-03")).header("Authorization", "Bearer " + ADMIN)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return frozen.statusCode() == 200 && JSON.readTree(frozen.body()).get("status").asText().equals("FROZEN");
        });

        Random random = new Random(17);
        List<Map.Entry<String, PaymentRequest>> requests = new ArrayList<>();
        for (String accountId : ACCOUNTS) {
            PaymentRequest topUp = aTopUp(accountId, 1_000 + random.nextInt(1_000))
                    .setCurrency(currencyOf(accountId)).build();
            requests.add(Map.entry(topUp.getPaymentId(), topUp));
        }
        for (int i = 0; i < 150; i++) {
            String from = ACCOUNTS.get(random.nextInt(ACCOUNTS.size()));
            String to = ACCOUNTS.get(random.nextInt(ACCOUNTS.size()));
            // Some overdraw, some cross currencies or hit the frozen account: rejections in every scope.
            PaymentRequest transfer = aTransfer(from, to, 1 + random.nextInt(900)).setCurrency(currencyOf(from))
                    .setPaymentId(Fixtures.paymentId("stats-" + i)).build();
            requests.add(Map.entry(transfer.getPaymentId(), transfer));
        }
        payments = requests.size();
        kafka.produce(Topics.PAYMENT_REQUESTS, requests);
    }

    @AfterAll
    static void stop() throws Exception {
        if (first != null) {
            first.after();
        }
        if (second != null) {
            second.after();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String currencyOf(String accountId) {
        return Integer.parseInt(accountId.substring(accountId.length() - 2)) % 3 == 2 ? "EUR" : "USD";
    }

    private static DropwizardTestSupport<ProcessorConfiguration> instance() {
        return ProcessorUnderTest.on(kafka.bootstrapServers(),
                ConfigOverride.config("streams.applicationId", "paystream-stats-it"),
                ConfigOverride.config("streams.standbyReplicas", "0"));
    }

    private static boolean running(DropwizardTestSupport<ProcessorConfiguration> app) {
        KafkaStreams streams = app.<ProcessorApplication>getApplication().streams().streams();
        return streams != null && streams.state() == KafkaStreams.State.RUNNING;
    }

    private HttpResponse<String> get(DropwizardTestSupport<ProcessorConfiguration> app, String key, String path)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + key).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The journal: every committed event, once each payment has its final status. */
    private static List<StatsFromJournal.Entry> journal() {
        try (InProcessKafka.Reader<String, PaymentEvent> reader = kafka.reader(Topics.PAYMENT_EVENTS)) {
            List<StatsFromJournal.Entry> entries = new ArrayList<>();
            await().atMost(SETTLE).until(() -> {
                List<ConsumerRecord<byte[], byte[]>> records = reader.records();
                entries.clear();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    entries.add(new StatsFromJournal.Entry(record.timestamp(), Topics.PAYMENT_EVENTS.valueSerde()
                            .deserializer().deserialize(Topics.PAYMENT_EVENTS.name(), record.value())));
                }
                long finished = entries.stream().filter(e -> io.paystream.schemas.PaymentStatuses.isTerminal(
                        e.event().getStatus())).map(e -> e.event().getPaymentId()).distinct().count();
                return finished == payments;
            });
            return entries;
        }
    }

    /** Per currency: counts, volume and the number of latencies, as the journal gives them for {@code scope}. */
    private static Map<String, String> expected(List<StatsFromJournal.Entry> journal, String scope) {
        StatsFromJournal stats = new StatsFromJournal(journal, StatsWindow.ONE_DAY, SCOPES::of);
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        Map<String, long[]> sums = new TreeMap<>();
        stats.buckets().forEach((key, buckets) -> {
            if (StatsKeys.scopeOf(key).equals(scope)) {
                String currency = StatsKeys.currencyOf(key);
                buckets.values().forEach(bucket -> {
                    bucket.counts().forEach((status, n) -> counts.computeIfAbsent(currency, c -> new TreeMap<>())
                            .merge(status, n, Long::sum));
                    long[] sum = sums.computeIfAbsent(currency, c -> new long[2]);
                    sum[0] += bucket.volume();
                    sum[1] += bucket.latencies();
                });
            }
        });
        Map<String, String> expected = new TreeMap<>();
        counts.forEach((currency, byStatus) -> expected.put(currency, byStatus + " volume=" + sums.get(currency)[0]
                + " latencies=" + sums.get(currency)[1] + " inFlight=0"));
        return expected;
    }

    /** The same shape from a {@code GET /v1/stats} answer. */
    private static Map<String, String> actual(String body) throws Exception {
        Map<String, String> actual = new TreeMap<>();
        for (JsonNode currency : JSON.readTree(body).get("currencies")) {
            Map<String, Long> counts = new TreeMap<>();
            currency.get("counts").fields().forEachRemaining(f -> counts.put(f.getKey(), f.getValue().asLong()));
            actual.put(currency.get("currency").asText(), counts + " volume=" + currency.get("volume").asLong()
                    + " latencies=" + currency.get("latencyMs").get("count").asLong()
                    + " inFlight=" + currency.get("inFlight").asLong());
        }
        return actual;
    }

    private Map<String, String> stats(DropwizardTestSupport<ProcessorConfiguration> app, String key)
            throws Exception {
        HttpResponse<String> response = get(app, key, "/v1/stats?window=24h");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return actual(response.body());
    }

    @Test
    void statsEqualTheJournalsThroughEitherInstanceAndAfterOneLeaves() throws Exception {
        List<StatsFromJournal.Entry> journal = journal();
        Map<String, String> all = expected(journal, StatsKeys.ALL);
        Map<String, String> acme = expected(journal, "acme");
        assertThat(all).containsKeys("USD", "EUR");
        assertThat(all.get("USD")).contains("REJECTED");
        assertThat(acme).isNotEqualTo(all);

        await().atMost(SETTLE).untilAsserted(() -> assertThat(stats(first, ADMIN)).isEqualTo(all));
        assertThat(stats(second, ADMIN)).isEqualTo(all);
        assertThat(stats(first, ACME)).isEqualTo(acme);
        assertThat(stats(second, ACME)).isEqualTo(acme);

        HttpResponse<String> oneMinute = get(first, ADMIN, "/v1/stats?window=1m");
        JsonNode window = JSON.readTree(oneMinute.body());
        assertThat(window.get("bucketSeconds").asLong()).isEqualTo(10);
        assertThat(window.get("currencies").get(0).get("series")).hasSize(6);
        assertThat(get(first, ADMIN, "/v1/stats?window=2h").statusCode()).isEqualTo(422);
        assertThat(get(first, "wrong-key", "/v1/stats").statusCode()).isEqualTo(401);

        // The second instance leaves: its partitions' stores are restored on the first from their changelogs.
        second.after();
        second = null;
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> response = get(first, ADMIN, "/v1/stats?window=24h");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(actual(response.body())).isEqualTo(all);
        });
        assertThat(stats(first, ACME)).isEqualTo(acme);
    }

    @Test
    void accountsAreListedInPagesAcrossEveryPartitionAndOnlyTheCallersOwn() throws Exception {
        List<String> listed = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            HttpResponse<String> response = getWhenWhole("/v1/accounts?limit=4"
                    + (next == null ? "" : "&after=" + next), ADMIN);
            JsonNode page = JSON.readTree(response.body());
            page.get("accounts").forEach(account -> listed.add(account.get("accountId").asText()));
            next = page.get("next").isNull() ? null : page.get("next").asText();
            pages++;
        } while (next != null && pages < 20);
        assertThat(listed).isEqualTo(ACCOUNTS.stream().sorted().toList());
        assertThat(pages).isEqualTo(6);

        JsonNode acme = JSON.readTree(getWhenWhole("/v1/accounts?limit=200", ACME).body());
        assertThat(acme.get("accounts")).hasSize(7).allMatch(a -> a.get("accountId").asText().startsWith("acme-"));
        assertThat(acme.get("accounts").get(0).get("balance").asLong()).isPositive();
        assertThat(JSON.readTree(getWhenWhole("/v1/accounts?prefix=globex-", ACME).body()).get("accounts")).isEmpty();
        assertThat(JSON.readTree(getWhenWhole("/v1/accounts?prefix=acme-0&status=FROZEN", ACME).body())
                .get("accounts")).extracting(a -> a.get("accountId").asText()).containsExactly("acme-03");
        assertThat(get(first, ACME, "/v1/accounts?status=GONE").statusCode()).isEqualTo(422);
        assertThat(get(first, ACME, "/v1/accounts?after=bogus").statusCode()).isEqualTo(422);
        assertThat(get(first, ACME, "/v1/accounts?prefix=a%20b").statusCode()).isEqualTo(422);
    }

    private HttpResponse<String> getWhenWhole(String path, String key) throws Exception {
        DropwizardTestSupport<ProcessorConfiguration> app = second != null ? second : first;
        List<HttpResponse<String>> answer = new ArrayList<>();
        await().atMost(SETTLE).until(() -> {
            HttpResponse<String> response = get(app, key, path);
            answer.add(0, response);
            return response.statusCode() == 200;
        });
        return answer.get(0);
    }
}
