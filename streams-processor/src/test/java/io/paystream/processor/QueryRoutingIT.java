package io.paystream.processor;

import static io.paystream.processor.testing.Fixtures.aTopUp;
import static io.paystream.processor.testing.Fixtures.anOpen;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.processor.testing.ProcessorUnderTest;
import io.paystream.queries.routing.Forwarder;
import io.paystream.testing.InProcessKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two processor instances share one broker, each with its own state dir and ports, and one standby replica. Every key
 * is queryable through either instance (the non-owner forwards); when one instance leaves, queries made during the
 * rebalance get 503 or a correct (possibly stale) answer, and afterwards the survivor serves every key.
 */
class QueryRoutingIT {
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ACCOUNTS = 12;

    private static InProcessKafka kafka;
    private static DropwizardTestSupport<ProcessorConfiguration> first;
    private static DropwizardTestSupport<ProcessorConfiguration> second;
    private static final Map<String, Long> BALANCES = new LinkedHashMap<>();
    private static final List<String> PAYMENT_IDS = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startTwoInstances() throws Exception {
        kafka = InProcessKafka.start();
        first = instance();
        first.before();
        second = instance();
        second.before();
        await().atMost(SETTLE).until(() -> running(first) && running(second));

        List<Map.Entry<String, AccountRequest>> opens = new ArrayList<>();
        List<Map.Entry<String, PaymentRequest>> topUps = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            String accountId = "route-" + i;
            opens.add(Map.entry(accountId, anOpen(accountId, "USD", AccountType.CUSTOMER).build()));
            PaymentRequest topUp = aTopUp(accountId, 100L + i).build();
            topUps.add(Map.entry(topUp.getPaymentId(), topUp));
            BALANCES.put(accountId, 100L + i);
            PAYMENT_IDS.add(topUp.getPaymentId());
        }
        kafka.produce(Topics.ACCOUNT_REQUESTS, opens);
        // Accounts and payments travel on different topics: top up only once every account exists.
        HttpClient client = HttpClient.newHttpClient();
        await().atMost(SETTLE).until(() -> {
            for (String accountId : BALANCES.keySet()) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + first.getLocalPort() + "/v1/accounts/" + accountId))
                        .header("Authorization", "Bearer local-dev-key").GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    return false;
                }
            }
            return true;
        });
        kafka.produce(Topics.PAYMENT_REQUESTS, topUps);
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

    private static DropwizardTestSupport<ProcessorConfiguration> instance() {
        return ProcessorUnderTest.on(kafka.bootstrapServers(),
                ConfigOverride.config("streams.applicationId", "paystream-routing-it"),
                ConfigOverride.config("streams.standbyReplicas", "1"));
    }

    private static boolean running(DropwizardTestSupport<ProcessorConfiguration> app) {
        KafkaStreams streams = app.<ProcessorApplication>getApplication().streams().streams();
        return streams != null && streams.state() == KafkaStreams.State.RUNNING;
    }

    private HttpResponse<String> get(DropwizardTestSupport<ProcessorConfiguration> app, String path)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer local-dev-key").GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private boolean servesEveryKey(DropwizardTestSupport<ProcessorConfiguration> app) throws Exception {
        for (Map.Entry<String, Long> expected : BALANCES.entrySet()) {
            HttpResponse<String> response = get(app, "/v1/accounts/" + expected.getKey());
            if (response.statusCode() != 200
                    || JSON.readTree(response.body()).get("balance").asLong() != expected.getValue()) {
                return false;
            }
        }
        for (String paymentId : PAYMENT_IDS) {
            HttpResponse<String> response = get(app, "/v1/payments/" + paymentId);
            if (response.statusCode() != 200 || !JSON.readTree(response.body()).get("status").asText()
                    .equals("COMPLETED")) {
                return false;
            }
        }
        return true;
    }

    @Test
    void everyKeyIsServedThroughEitherInstanceAndSurvivesTheLossOfOne() throws Exception {
        await().atMost(SETTLE).until(() -> servesEveryKey(first) && servesEveryKey(second));
        double forwarded = first.<ProcessorApplication>getApplication().registry()
                .find("paystream.query.requests").tag("route", "forwarded").counters().stream()
                .mapToDouble(c -> c.count()).sum();
        assertThat(forwarded).as("queries the first instance forwarded to the second").isPositive();
        // A caller's own X-PayStream-Forwarded header changes nothing: only a peer's token stops the forwarding.
        for (String forged : new String[] {"1", "true", Forwarder.token(List.of())}) {
            for (String accountId : BALANCES.keySet()) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + first.getLocalPort() + "/v1/accounts/" + accountId)).timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer local-dev-key").header(Forwarder.FORWARDED_HEADER, forged)
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(forged + " " + accountId + ": " + response.body()).isEqualTo(200);
                assertThat(JSON.readTree(response.body()).has("stale")).isFalse();
            }
        }

        second.after();
        second = null;
        List<Integer> statusesDuringRebalance = new ArrayList<>();
        List<String> unavailableBodies = new ArrayList<>();
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(200)).until(() -> {
            boolean allServed = true;
            for (Map.Entry<String, Long> expected : BALANCES.entrySet()) {
                for (String query : new String[] {"", "?stale=true"}) {
                    HttpResponse<String> response = get(first, "/v1/accounts/" + expected.getKey() + query);
                    statusesDuringRebalance.add(response.statusCode());
                    assertThat(response.statusCode()).as(response.body()).isIn(200, 503);
                    if (response.statusCode() == 200) {
                        JsonNode account = JSON.readTree(response.body());
                        // Never a wrong answer: the balance is right whether the read was fresh or stale.
                        assertThat(account.get("balance").asLong()).isEqualTo(expected.getValue());
                        if (query.isEmpty()) {
                            allServed &= !account.has("stale");
                        }
                    } else {
                        assertThat(response.headers().firstValue("Retry-After")).isPresent();
                        // Nothing internal in the answer: no instance address, no Kafka Streams exception text.
                        assertThat(response.body()).doesNotContain("127.0.0.1").doesNotContain("Exception")
                                .doesNotContain("partition").doesNotContainPattern(":[0-9]{2,5}");
                        unavailableBodies.add(response.body());
                        allServed = false;
                    }
                }
            }
            return allServed;
        });
        assertThat(servesEveryKey(first)).isTrue();
        System.out.println("503 answers during the take-over: " + unavailableBodies.size()
                + (unavailableBodies.isEmpty() ? "" : ", for example " + unavailableBodies.get(0)));
        System.out.println("answers while the survivor took over: " + statusesDuringRebalance.stream()
                .collect(java.util.stream.Collectors.groupingBy(s -> s, java.util.stream.Collectors.counting())));
    }
}
