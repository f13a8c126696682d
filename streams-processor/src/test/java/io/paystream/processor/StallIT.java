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
import io.paystream.processor.status.PaymentStatusTopology;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real stall, provoked on purpose, is seen and acted on. The test drives the read path the query API no longer uses
 * (IQv2 {@code KeyQuery}, KAFKA-19629) from many threads while transfers settle, until the stream thread deadlocks,
 * as it did in production. Kafka Streams still says RUNNING; the processor must say it is stalled on
 * {@code /healthcheck} and in {@code paystream_processor_stalled}, and give up with exit status 70 once the stall has
 * lasted {@code stall.exitAfter}. The exit is recorded instead of halting the test JVM.
 */
class StallIT {
    private static final Duration PROVOKE_MAX = Duration.ofSeconds(120);
    private static final int READERS = 8;
    private static final int ACCOUNTS = 20;
    private static final int TRANSFERS_PER_ROUND = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private InProcessKafka kafka;
    private DropwizardTestSupport<ProcessorConfiguration> app;
    private ExecutorService readers;
    private final AtomicBoolean stopReading = new AtomicBoolean();
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
                ConfigOverride.config("stall.exitAfter", "5s"));
        app.before();
        await().atMost(Duration.ofSeconds(60)).until(() -> streams().state() == KafkaStreams.State.RUNNING);
    }

    @AfterEach
    void stop() throws Exception {
        stopReading.set(true);
        if (readers != null) {
            // The deadlocked readers cannot be interrupted out of a monitor; they end with the test JVM.
            readers.shutdownNow();
        }
        // Neither can the stream thread: closing the app waits for it until the close timeout (30 s), then stops
        // everything else (Jetty, the other Kafka clients), so that nothing of it lingers into the next test class.
        if (app != null) {
            Thread closer = new Thread(app::after, "close-stalled-processor");
            closer.setDaemon(true);
            closer.start();
            closer.join(Duration.ofSeconds(45).toMillis());
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aDeadlockedStreamThreadIsReportedAndTheProcessExitsToBeRestarted() throws Exception {
        ExitRecordingProcessor processor = (ExitRecordingProcessor) app.<ProcessorApplication>getApplication();
        assertThat(JSON.readTree(health().body()).get("stream-progress").get("healthy").asBoolean()).isTrue();
        List<String> accountIds = Workloads.openAccounts(kafka, "stall-", ACCOUNTS);
        await().atMost(Duration.ofSeconds(60)).until(() -> accountIds.stream().allMatch(id -> streams()
                .store(StoreQueryParameters.fromNameAndType(LedgerTopology.ACCOUNTS_STORE,
                        QueryableStoreTypes.keyValueStore())).get(id) != null));
        Workloads.topUp(kafka, accountIds, 1_000_000);

        readers = Executors.newFixedThreadPool(READERS);
        List<String> paymentIds = new ArrayList<>();
        for (int i = 0; i < TRANSFERS_PER_ROUND; i++) {
            paymentIds.add(paymentId("stall-0-" + i));
        }
        for (int i = 0; i < READERS; i++) {
            int reader = i;
            readers.submit(() -> readThroughIqv2(reader, accountIds, paymentIds));
        }
        StallWatchdog watchdog = processor.stallWatchdog();
        long deadline = System.nanoTime() + PROVOKE_MAX.toNanos();
        // Keep new transfers flowing until the deadlock happens: every round writes both stores the readers query.
        for (int round = 0; !watchdog.verdict().stalled() && System.nanoTime() < deadline; round++) {
            List<Map.Entry<String, PaymentRequest>> transfers = new ArrayList<>();
            for (int i = 0; i < TRANSFERS_PER_ROUND; i++) {
                PaymentRequest transfer = aTransfer(accountIds.get(i % ACCOUNTS),
                        accountIds.get((i + 1) % ACCOUNTS), 1).setPaymentId(paymentId("stall-" + round + "-" + i))
                        .build();
                transfers.add(Map.entry(transfer.getPaymentId(), transfer));
            }
            kafka.produceAll(Topics.PAYMENT_REQUESTS, transfers);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> watchdog.verdict().stalled() || lagIsZero());
        }

        assertThat(watchdog.verdict().stalled()).as("a stall within " + PROVOKE_MAX).isTrue();
        assertThat(streams().state()).as("what Kafka Streams itself says").isEqualTo(KafkaStreams.State.RUNNING);
        HttpResponse<String> health = health();
        assertThat(health.statusCode()).isEqualTo(500);
        JsonNode progress = JSON.readTree(health.body()).get("stream-progress");
        assertThat(progress.get("healthy").asBoolean()).isFalse();
        assertThat(progress.get("message").asText()).containsPattern("StreamThread-1 (is deadlocked|has not polled)");
        assertThat(admin("/metrics").body()).contains("paystream_processor_stalled 1.0")
                .contains("paystream_processor_stalls_total 1.0");

        assertThat(processor.exitStatus.get(30, TimeUnit.SECONDS)).isEqualTo(StallWatchdog.EXIT_CODE);
        assertThat(watchdog.stalledSeconds()).isGreaterThanOrEqualTo(5.0);
    }

    /** The inverted lock order of KAFKA-19629: IQv2 key queries against both stores the stream thread writes. */
    private void readThroughIqv2(int reader, List<String> accountIds, List<String> paymentIds) {
        long deadline = System.nanoTime() + PROVOKE_MAX.toNanos();
        int i = reader;
        while (!stopReading.get() && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            i++;
            streams().query(StateQueryRequest.inStore(LedgerTopology.ACCOUNTS_STORE)
                    .withQuery(KeyQuery.withKey(accountIds.get(i % accountIds.size()))));
            streams().query(StateQueryRequest.inStore(PaymentStatusTopology.PAYMENTS_STORE)
                    .withQuery(KeyQuery.withKey(paymentIds.get(i % paymentIds.size()))));
        }
    }

    private boolean lagIsZero() {
        return streams().metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("records-lag") && e.getKey().tags().containsKey("partition"))
                .allMatch(e -> e.getValue().metricValue() instanceof Double lag && (lag.isNaN() || lag == 0));
    }

    private KafkaStreams streams() {
        return app.<ProcessorApplication>getApplication().streams().streams();
    }

    private HttpResponse<String> health() throws Exception {
        return admin("/healthcheck");
    }

    private HttpResponse<String> admin(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getAdminPort() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
