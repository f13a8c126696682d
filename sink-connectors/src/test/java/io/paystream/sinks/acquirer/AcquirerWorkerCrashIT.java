package io.paystream.sinks.acquirer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paystream.acquirer.AcquirerSimulator;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AcquirerRequest;
import io.paystream.schemas.avro.AcquirerResult;
import io.paystream.schemas.serde.AvroSerde;
import io.paystream.sinks.SinkConnectorConfigs;
import io.paystream.sinks.testing.StandaloneWorker;
import io.paystream.testing.InProcessKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the acquirer connector between charges and their answers: a real ConnectStandalone worker charges card
 * top-ups at the simulator (which answers slowly), is killed while charges are in flight, and is started again on
 * the same offsets. Every charge must end with an answer on acquirer.results.v1, and the acquirer must have charged
 * each card exactly once: the redelivered requests are asked again with the same idempotency keys.
 */
class AcquirerWorkerCrashIT {
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final int CHARGES = 60;
    private static InProcessKafka kafka;
    private static AcquirerSimulator acquirer;

    static {
        AvroSerde.of(AcquirerRequest.class);
    }

    @BeforeAll
    static void start() throws Exception {
        kafka = InProcessKafka.start();
        kafka.createTopics(3, Topics.ACQUIRER_REQUESTS.name(), Topics.ACQUIRER_RESULTS.name());
        acquirer = AcquirerSimulator.start(new AcquirerSimulator.Settings(0, 0.8, Duration.ofMillis(300),
                Duration.ofSeconds(2), null, 3));
    }

    @AfterAll
    static void stop() throws Exception {
        if (acquirer != null) {
            acquirer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static long acquirerCount(String metric) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + acquirer.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return (long) body.lines().filter(l -> l.startsWith(metric)).mapToDouble(l ->
                Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void killingTheConnectorBetweenChargeAndAnswerChargesNoCardTwiceAndLosesNoAnswer() throws Exception {
        List<Map.Entry<String, AcquirerRequest>> requests = new ArrayList<>();
        for (int i = 0; i < CHARGES; i++) {
            AcquirerRequest request = AcquirerRequest.newBuilder().setPaymentId(UUID.randomUUID().toString())
                    .setTo("acct-" + (i % 5)).setAmount(100 + i).setCurrency("USD").setToken("tok_visa")
                    .setRequestedAtMs(1).build();
            requests.add(Map.entry(request.getPaymentId(), request));
        }
        kafka.produce(Topics.ACQUIRER_REQUESTS, requests);
        Set<String> expected = requests.stream().map(Map.Entry::getKey).collect(Collectors.toSet());
        Path dir = Files.createTempDirectory("acquirer-crash");
        Map<String, String> connector = new HashMap<>(SinkConnectorConfigs.acquirer("http://127.0.0.1:"
                + acquirer.port(), kafka.bootstrapServers()));
        connector.put("name", "acquirer-crash");

        Process first = StandaloneWorker.start(dir, kafka.bootstrapServers(), connector);
        try (var reader = kafka.reader(Topics.ACQUIRER_RESULTS)) {
            // Killed once some answers are written and charges are still being made.
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(20)).until(() -> !first.isAlive()
                    || (reader.values().size() >= 5 && acquirerCount("acquirer_requests_total{outcome=\"new\"}")
                            < CHARGES));
            assertThat(first.isAlive()).as("the worker runs; see %s", dir.resolve("connect.log")).isTrue();
            first.destroyForcibly().waitFor();
            long answeredBeforeRestart = reader.values().size();

            Process second = StandaloneWorker.start(dir, kafka.bootstrapServers(), connector);
            try {
                await().atMost(SETTLE).until(() -> reader.values().stream().map(AcquirerResult::getPaymentId)
                        .collect(Collectors.toSet()).containsAll(expected) || !second.isAlive());
            } finally {
                second.destroyForcibly().waitFor();
            }
            List<AcquirerResult> results = reader.values();
            assertThat(results.stream().map(AcquirerResult::getPaymentId).collect(Collectors.toSet()))
                    .as("every charge answered").isEqualTo(expected);
            Map<String, Set<String>> chargeIds = results.stream().collect(Collectors.groupingBy(
                    AcquirerResult::getPaymentId, Collectors.mapping(r -> String.valueOf(r.getChargeId()),
                            Collectors.toSet())));
            assertThat(chargeIds.values()).as("an answer written twice names the same charge")
                    .allMatch(ids -> ids.size() == 1);
            long charged = acquirerCount("acquirer_charges_total{");
            assertThat(charged).as("cards charged").isEqualTo(CHARGES);
            System.out.printf("acquirer crash: %d charges, %d answered before the kill, %d answers in all, "
                    + "%d requests replayed by the acquirer%n", CHARGES, answeredBeforeRestart, results.size(),
                    acquirerCount("acquirer_requests_total{outcome=\"replayed\"}"));
        }
    }
}
