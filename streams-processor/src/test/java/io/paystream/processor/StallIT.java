package io.paystream.processor;

import static io.paystream.processor.testing.Fixtures.aTransfer;
import static io.paystream.processor.testing.Fixtures.paymentId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.paystream.processor.health.StallWatchdog;
import io.paystream.processor.ledger.LedgerTopology;
import io.paystream.processor.testing.ProcessorUnderTest;
import io.paystream.processor.testing.Workloads;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.testing.InProcessKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real stall is seen and acted on. The processor gets a backlog of transfers and then loses its broker, so the
 * records wait and none can be processed: the stream thread either blocks committing or polls in vain. Kafka
 * Streams keeps saying RUNNING; the processor must say it is stalled on {@code /healthcheck} and in
 * {@code paystream_processor_stalled}, and give up with exit status 70 once the stall has lasted
 * {@code stall.exitAfter}. The exit is recorded instead of halting the test JVM. (A deadlocked stream thread, the
 * stall that KAFKA-19629 caused, is decided the same way; {@code StallDetectorTest} covers that verdict.)
 */
class StallIT {
    private static final int ACCOUNTS = 20;
    /** Tens of seconds of work on two cores, so that plenty is still waiting when the broker goes. */
    private static final int BACKLOG = 30_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private InProcessKafka kafka;
    private DropwizardTestSupport<ProcessorConfiguration> app;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The processor, with its process exit recorded rather than performed. */
    public static final class ExitRecordingProcessor extends ProcessorApplication {
        private final CompletableFuture<Integer> exitStatus = new CompletableFuture<>();

        @Override
        protected void exitProcess(int status) {
            exitStatus.complete(status);
        }
    }

    @BeforeEach
    void start() throws Exception {
        kafka = InProcessKafka.start();
        app = ProcessorUnderTest.on(kafka.bootstrapServers(), ExitRecordingProcessor.class,
                ConfigOverride.config("stall.timeout", "3s"),
                ConfigOverride.config("stall.exitAfter", "5s"),
                // The broker is gone when the app stops: nothing can commit, so waiting 30 s gains nothing.
                ConfigOverride.config("streams.closeTimeout", "3s"));
        app.before();
        await().atMost(Duration.ofSeconds(60)).until(() -> streams().state() == KafkaStreams.State.RUNNING);
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            // Bounded by the processor's close timeout (3 s here) even with its broker gone.
            app.after();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aProcessorThatCannotMakeProgressIsReportedAndExitsToBeRestarted() throws Exception {
        ExitRecordingProcessor processor = (ExitRecordingProcessor) app.<ProcessorApplication>getApplication();
        StallWatchdog watchdog = processor.stallWatchdog();
        assertThat(progressHealth().get("healthy").asBoolean()).isTrue();
        List<String> accountIds = Workloads.openAccounts(kafka, "stall-", ACCOUNTS);
        await().atMost(Duration.ofSeconds(60)).until(() -> accountIds.stream().allMatch(id -> streams()
                .store(StoreQueryParameters.fromNameAndType(LedgerTopology.ACCOUNTS_STORE,
                        QueryableStoreTypes.keyValueStore())).get(id) != null));
        Workloads.topUp(kafka, accountIds, 1_000_000_000);
        List<Map.Entry<String, PaymentRequest>> transfers = new ArrayList<>();
        for (int i = 0; i < BACKLOG; i++) {
            PaymentRequest transfer = aTransfer(accountIds.get(i % ACCOUNTS), accountIds.get((i + 1) % ACCOUNTS), 1)
                    .setPaymentId(paymentId("stall-" + i)).build();
            transfers.add(Map.entry(transfer.getPaymentId(), transfer));
        }
        kafka.produceAll(Topics.PAYMENT_REQUESTS, transfers);
        assertThat(watchdog.verdict().stalled()).as("busy is not stalled").isFalse();

        kafka.close();
        kafka = null;

        await().atMost(Duration.ofSeconds(60)).until(() -> watchdog.verdict().stalled());
        assertThat(streams().state()).as("what Kafka Streams itself says").isEqualTo(KafkaStreams.State.RUNNING);
        HttpResponse<String> health = admin("/healthcheck");
        assertThat(health.statusCode()).isEqualTo(500);
        JsonNode progress = JSON.readTree(health.body()).get("stream-progress");
        assertThat(progress.get("healthy").asBoolean()).isFalse();
        assertThat(progress.get("message").asText())
                .containsPattern("stalled for \\d+ s: stream thread \\S+-StreamThread-1 "
                        + "(has not polled for|has \\d+ records waiting and processed none for) \\d+ s");
        assertThat(admin("/metrics").body()).contains("paystream_processor_stalled 1.0")
                .contains("paystream_processor_stalls_total 1.0");

        assertThat(processor.exitStatus.get(30, TimeUnit.SECONDS)).isEqualTo(StallWatchdog.EXIT_CODE);
        assertThat(watchdog.stalledSeconds()).isGreaterThanOrEqualTo(5.0);
    }

    private KafkaStreams streams() {
        return app.<ProcessorApplication>getApplication().streams().streams();
    }

    private JsonNode progressHealth() throws Exception {
        return JSON.readTree(admin("/healthcheck").body()).get("stream-progress");
    }

    private HttpResponse<String> admin(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getAdminPort() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
