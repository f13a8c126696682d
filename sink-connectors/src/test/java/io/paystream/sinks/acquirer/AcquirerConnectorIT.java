package io.paystream.sinks.acquirer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.paystream.acquirer.AcquirerSimulator;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AcquirerOperation;
import io.paystream.schemas.avro.AcquirerRequest;
import io.paystream.schemas.avro.AcquirerResult;
import io.paystream.schemas.avro.ChargeStatus;
import io.paystream.schemas.serde.AvroSerde;
import io.paystream.sinks.SinkConnectorConfigs;
import io.paystream.testing.FreePorts;
import io.paystream.testing.InProcessKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The acquirer connector's task against the real acquirer simulator over HTTP and a real broker. */
class AcquirerConnectorIT {
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static InProcessKafka kafka;
    private static AcquirerSimulator acquirer;
    private long offset;

    static {
        AvroSerde.of(AcquirerRequest.class);
    }

    @BeforeAll
    static void start() throws Exception {
        kafka = InProcessKafka.start();
        kafka.createTopics(3, Topics.ACQUIRER_RESULTS.name());
        acquirer = AcquirerSimulator.start(new AcquirerSimulator.Settings(0, 0.5, Duration.ofMillis(5),
                Duration.ofSeconds(2), null, 7));
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

    private AcquirerSinkTask task(String url) {
        Map<String, String> config = new HashMap<>(SinkConnectorConfigs.acquirer(url, kafka.bootstrapServers()));
        config.put(AcquirerConfig.TIMEOUT_MS, "500");
        config.put(AcquirerConfig.BACKOFF_MS, "50");
        AcquirerSinkTask task = new AcquirerSinkTask();
        task.start(config);
        return task;
    }

    private List<SinkRecord> records(AcquirerRequest... requests) {
        List<SinkRecord> records = new ArrayList<>();
        for (AcquirerRequest request : requests) {
            records.add(new SinkRecord(Topics.ACQUIRER_REQUESTS.name(), 0, null, request.getPaymentId(), null,
                    request, offset++));
        }
        return records;
    }

    private static AcquirerRequest request(String token, long amount) {
        return AcquirerRequest.newBuilder().setPaymentId(UUID.randomUUID().toString()).setTo("alice")
                .setAmount(amount).setCurrency("USD").setToken(token).setRequestedAtMs(1).build();
    }

    private static List<AcquirerResult> results(String paymentId) {
        try (var reader = kafka.reader(Topics.ACQUIRER_RESULTS)) {
            List<AcquirerResult> found = new ArrayList<>();
            await().atMost(SETTLE).until(() -> {
                found.clear();
                reader.values().stream().filter(r -> r.getPaymentId().equals(paymentId)).forEach(found::add);
                return !found.isEmpty();
            });
            return found;
        }
    }

    private static List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> resultRecords(
            String paymentId) {
        try (var reader = kafka.reader(Topics.ACQUIRER_RESULTS)) {
            List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
            await().atMost(SETTLE).until(() -> {
                found.clear();
                reader.records().stream().filter(r -> paymentId.equals(new String(r.key(),
                        java.nio.charset.StandardCharsets.UTF_8))).forEach(found::add);
                return !found.isEmpty();
            });
            return found;
        }
    }

    private static String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + acquirer.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double approvedCharges() throws Exception {
        return metrics().lines().filter(l -> l.startsWith("acquirer_charges_total{decline_code=\"none\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void aRefundIsMadeOnceEvenWhenItsBatchIsRedeliveredAndOneTheAcquirerRefusesIsSkipped() throws Exception {
        AcquirerSinkTask task = task("http://127.0.0.1:" + acquirer.port());
        try {
            AcquirerRequest charge = request("tok_approve", 900);
            task.put(records(charge));
            String chargeId = results(charge.getPaymentId()).get(0).getChargeId();
            AcquirerRequest refund = AcquirerRequest.newBuilder(charge).setOperation(AcquirerOperation.REFUND)
                    .setToken(null).setChargeId(chargeId).build();
            AcquirerRequest unknown = AcquirerRequest.newBuilder(refund).setPaymentId(UUID.randomUUID().toString())
                    .setChargeId("ch_000000000000000000000000").build();

            task.put(records(refund, unknown));
            task.put(records(refund));

            await().atMost(SETTLE).until(() -> results(charge.getPaymentId()).size() == 3);
            List<AcquirerResult> answers = results(charge.getPaymentId());
            assertThat(answers).extracting(AcquirerResult::getStatus)
                    .containsExactly(ChargeStatus.APPROVED, ChargeStatus.REFUNDED, ChargeStatus.REFUNDED);
            assertThat(answers.get(1).getRefundId()).isNotNull().isEqualTo(answers.get(2).getRefundId());
            assertThat(answers.get(1).getChargeId()).isEqualTo(chargeId);
            assertThat(acquirer.refunds()).filteredOn(r -> r.chargeId().equals(chargeId)).hasSize(1);
            assertThat(acquirer.refunds()).noneMatch(r -> r.chargeId().equals(unknown.getChargeId()));
        } finally {
            task.stop();
        }
    }

    @Test
    void eachChargeIsAnsweredAndATimedOutOneIsAskedAgainWithItsKeyAndChargedOnce() throws Exception {
        AcquirerSinkTask task = task("http://127.0.0.1:" + acquirer.port());
        try {
            AcquirerRequest approve = request("tok_approve", 100);
            AcquirerRequest decline = request("tok_decline", 200);
            AcquirerRequest slow = request("tok_timeout", 300);
            double before = approvedCharges();

            task.put(records(slow, approve, decline));

            // The slow charge was first in the batch and took a timeout and a retry; the others did not wait for it.
            long slowWritten = resultRecords(slow.getPaymentId()).get(0).timestamp();
            assertThat(resultRecords(approve.getPaymentId()).get(0).timestamp()).isLessThan(slowWritten - 300);
            assertThat(results(approve.getPaymentId())).singleElement().satisfies(r -> {
                assertThat(r.getStatus()).isEqualTo(ChargeStatus.APPROVED);
                assertThat(r.getChargeId()).startsWith("ch_");
                assertThat(r.getTo()).isEqualTo("alice");
                assertThat(r.getAmount()).isEqualTo(100);
            });
            assertThat(results(decline.getPaymentId())).singleElement().satisfies(r -> {
                assertThat(r.getStatus()).isEqualTo(ChargeStatus.DECLINED);
                assertThat(r.getDeclineCode()).isEqualTo("card_declined");
            });
            assertThat(results(slow.getPaymentId())).singleElement()
                    .satisfies(r -> assertThat(r.getStatus()).isEqualTo(ChargeStatus.APPROVED));
            assertThat(approvedCharges() - before).as("cards charged").isEqualTo(2.0);
            assertThat(metrics()).contains("acquirer_requests_total{outcome=\"replayed\"}");

            // A crash after the charges and before the offsets were committed: Connect hands the batch over again.
            task.put(records(approve, decline, slow));
            await().atMost(SETTLE).until(() -> results(approve.getPaymentId()).size() == 2);
            // The answer is written again, naming the same charge: the processor acts on the first.
            assertThat(results(approve.getPaymentId())).extracting(AcquirerResult::getChargeId).hasSize(2)
                    .doesNotContainNull().containsOnly(results(approve.getPaymentId()).get(0).getChargeId());
            assertThat(approvedCharges() - before).as("no card charged twice").isEqualTo(2.0);
        } finally {
            task.stop();
        }
    }

    @Test
    void anAcquirerThatDoesNotAnswerHandsTheBatchBackAndWritesNothing() throws Exception {
        AcquirerSinkTask task = task("http://127.0.0.1:" + FreePorts.next());
        try {
            AcquirerRequest request = request("tok_approve", 100);
            assertThatThrownBy(() -> task.put(records(request))).isInstanceOf(RetriableException.class);
            try (var reader = kafka.reader(Topics.ACQUIRER_RESULTS)) {
                Thread.sleep(500);
                assertThat(reader.values()).noneMatch(r -> r.getPaymentId().equals(request.getPaymentId()));
            }
        } finally {
            task.stop();
        }
    }
}
