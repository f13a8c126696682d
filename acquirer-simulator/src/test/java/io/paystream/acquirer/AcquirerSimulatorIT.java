package io.paystream.acquirer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator over real HTTP, as the acquirer connector and a person with curl use it. */
class AcquirerSimulatorIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AcquirerSimulator> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(AcquirerSimulator::close);
    }

    private AcquirerSimulator simulator(double approvalRate, Duration hang, Path data) throws Exception {
        AcquirerSimulator simulator = AcquirerSimulator.start(new AcquirerSimulator.Settings(0, approvalRate,
                Duration.ofMillis(5), hang, data, 42));
        started.add(simulator);
        return simulator;
    }

    private HttpResponse<String> charge(AcquirerSimulator simulator, String key, String body, Duration timeout)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulator.port()
                + "/v1/charges")).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> charge(AcquirerSimulator simulator, String key, String token, long amount)
            throws Exception {
        return charge(simulator, key, "{\"token\":\"" + token + "\",\"amount\":" + amount
                + ",\"currency\":\"USD\",\"reference\":\"p-" + key + "\"}", Duration.ofSeconds(10));
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private String metrics(AcquirerSimulator simulator) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulator.port() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void testTokensDecideAsDocumented() throws Exception {
        AcquirerSimulator simulator = simulator(0.5, Duration.ofSeconds(1), null);
        HttpResponse<String> approved = charge(simulator, "k1", "tok_approve", 1050);
        assertThat(approved.statusCode()).isEqualTo(201);
        assertThat(json(approved).get("status").asText()).isEqualTo("APPROVED");
        assertThat(json(approved).get("chargeId").asText()).matches("ch_[0-9a-f]{24}");
        assertThat(json(approved).get("reference").asText()).isEqualTo("p-k1");
        assertThat(json(charge(simulator, "k2", "tok_decline", 1050)).get("declineCode").asText())
                .isEqualTo("card_declined");
        assertThat(json(charge(simulator, "k3", "tok_insufficient_funds", 1050)).get("declineCode").asText())
                .isEqualTo("insufficient_funds");
        String chargeId = json(approved).get("chargeId").asText();
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + simulator.port() + "/v1/charges/" + chargeId)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json(read).get("amount").asLong()).isEqualTo(1050);
        assertThat(metrics(simulator)).contains("acquirer_charges_total{decline_code=\"card_declined\",status=\"declined\"} 1.0")
                .contains("acquirer_charges_total{decline_code=\"none\",status=\"approved\"} 1.0");
    }

    @Test
    void ordinaryTokensAreApprovedAtTheConfiguredRate() throws Exception {
        AcquirerSimulator simulator = simulator(0.9, Duration.ofSeconds(1), null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> statuses = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String key = "rate-" + i;
                statuses.add(pool.submit(() -> json(charge(simulator, key, "tok_visa", 100)).get("status").asText()));
            }
            long approved = 0;
            for (Future<String> status : statuses) {
                approved += status.get().equals("APPROVED") ? 1 : 0;
            }
            // 360 expected; the bounds are five standard deviations (6) either side.
            assertThat(approved).isBetween(330L, 390L);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneKeyIsOneChargeEvenWhenItsRetriesRace() throws Exception {
        AcquirerSimulator simulator = simulator(0.5, Duration.ofSeconds(1), null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> retries = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                retries.add(pool.submit(() -> charge(simulator, "same-key", "tok_visa", 777)));
            }
            Set<String> charges = retries.stream().map(f -> {
                try {
                    return json(f.get()).get("chargeId").asText();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).collect(Collectors.toSet());
            assertThat(charges).hasSize(1);
            assertThat(retries.stream().filter(f -> {
                try {
                    return f.get().statusCode() == 201;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).count()).as("new charges").isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        HttpResponse<String> replay = charge(simulator, "same-key", "tok_visa", 777);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(charge(simulator, "same-key", "tok_visa", 778).statusCode()).isEqualTo(409);
        assertThat(metrics(simulator)).contains("acquirer_requests_total{outcome=\"new\"} 1.0")
                .contains("acquirer_requests_total{outcome=\"conflict\"} 1.0");
    }

    @Test
    void aTimedOutChargeRetriedWithItsKeyIsAnsweredAtOnceAndChargedOnce() throws Exception {
        AcquirerSimulator simulator = simulator(0.5, Duration.ofSeconds(3), null);
        String body = "{\"token\":\"tok_timeout\",\"amount\":500,\"currency\":\"EUR\",\"reference\":\"p\"}";
        assertThatThrownBy(() -> charge(simulator, "slow", body, Duration.ofMillis(500)))
                .isInstanceOf(HttpTimeoutException.class);
        HttpResponse<String> retry = charge(simulator, "slow", body, Duration.ofMillis(500));
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(json(retry).get("status").asText()).isEqualTo("APPROVED");
        assertThat(metrics(simulator)).contains("acquirer_charges_total{decline_code=\"none\",status=\"approved\"} 1.0");
    }

    @Test
    void aRestartForgetsNoCharge(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path data = dir.resolve("acquirer/charges.jsonl");
        AcquirerSimulator first = simulator(0.5, Duration.ofSeconds(1), data);
        String chargeId = json(charge(first, "kept", "tok_visa", 4200)).get("chargeId").asText();
        first.close();
        AcquirerSimulator second = simulator(0.5, Duration.ofSeconds(1), data);
        HttpResponse<String> replay = charge(second, "kept", "tok_visa", 4200);
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(json(replay).get("chargeId").asText()).isEqualTo(chargeId);
        assertThat(Files.readAllLines(data)).hasSize(1);
    }

    private HttpResponse<String> refund(AcquirerSimulator simulator, String chargeId, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulator.port() + "/v1/charges/"
                + chargeId + "/refunds")).timeout(Duration.ofSeconds(10)).header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anApprovedChargeIsRefundedOnceWhateverTheRacingRetriesAndARestartForgetsNoRefund(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path data = dir.resolve("charges.jsonl");
        AcquirerSimulator simulator = simulator(1.0, Duration.ofSeconds(1), data);
        String chargeId = json(charge(simulator, "pay-1", "tok_approve", 700)).get("chargeId").asText();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Future<HttpResponse<String>>> racing = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            racing.add(pool.submit(() -> refund(simulator, chargeId, "refund:pay-1")));
        }
        Set<String> refundIds = new java.util.HashSet<>();
        for (Future<HttpResponse<String>> answer : racing) {
            assertThat(answer.get().statusCode()).isIn(200, 201);
            refundIds.add(json(answer.get()).get("refundId").asText());
        }
        pool.shutdown();
        assertThat(refundIds).as("one refund").hasSize(1);
        assertThat(json(refund(simulator, chargeId, "another-key")).get("refundId").asText())
                .isEqualTo(refundIds.iterator().next());
        assertThat(simulator.refunds()).singleElement().satisfies(refund -> assertThat(refund.amount()).isEqualTo(700));

        simulator.close();
        AcquirerSimulator restarted = simulator(1.0, Duration.ofSeconds(1), data);
        HttpResponse<String> afterRestart = refund(restarted, chargeId, "refund:pay-1");
        assertThat(afterRestart.statusCode()).isEqualTo(200);
        assertThat(afterRestart.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(json(afterRestart).get("refundId").asText()).isEqualTo(refundIds.iterator().next());
    }

    @Test
    void onlyAnApprovedChargeThatExistsIsRefunded() throws Exception {
        AcquirerSimulator simulator = simulator(1.0, Duration.ofSeconds(1), null);
        String declined = json(charge(simulator, "pay-2", "tok_decline", 700)).get("chargeId").asText();

        assertThat(refund(simulator, "ch_000000000000000000000000", "k").statusCode()).isEqualTo(404);
        assertThat(refund(simulator, declined, "k").statusCode()).isEqualTo(409);
        assertThat(simulator.refunds()).isEmpty();
    }

    @Test
    void badRequestsAre422NamingTheFieldAndChargeNothing() throws Exception {
        AcquirerSimulator simulator = simulator(1.0, Duration.ofSeconds(1), null);
        assertThat(json(charge(simulator, null, "tok_visa", 100)).at("/error/param").asText())
                .isEqualTo("Idempotency-Key");
        assertThat(json(charge(simulator, "b1", "card-4242", 100)).at("/error/param").asText()).isEqualTo("token");
        assertThat(json(charge(simulator, "b2", "tok_visa", 0)).at("/error/param").asText()).isEqualTo("amount");
        assertThat(charge(simulator, "b3", "{\"token\":\"tok_visa\",\"amount\":1.5,\"currency\":\"USD\"}",
                Duration.ofSeconds(5)).statusCode()).isEqualTo(422);
        assertThat(charge(simulator, "b4", "{\"token\":\"tok_visa\",\"amount\":1,\"currency\":\"usd\"}",
                Duration.ofSeconds(5)).statusCode()).isEqualTo(422);
        assertThat(charge(simulator, "b5", "not json", Duration.ofSeconds(5)).statusCode()).isEqualTo(422);
        assertThat(metrics(simulator)).contains("acquirer_requests_total{outcome=\"invalid\"} 6.0")
                .doesNotContain("acquirer_charges_total{");
    }
}
