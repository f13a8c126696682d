package io.paystream.processor;

import static io.paystream.processor.testing.Fixtures.aTransfer;
import static io.paystream.processor.testing.Fixtures.paymentId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.paystream.processor.ledger.LedgerTopology;
import io.paystream.processor.ledger.InFlightGauges;
import io.paystream.processor.status.PaymentStatusTopology;
import io.paystream.processor.testing.ProcessorUnderTest;
import io.paystream.processor.testing.Workloads;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.testing.InProcessKafka;
import io.paystream.testing.LedgerInvariants;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.common.Metric;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reads never stop writes (KAFKA-19629). The real processor on a real broker settles thousands of
 * transfers while many threads query every store it serves: balances and payment statuses over HTTP (the path users
 * take) and the in-flight totals (the metrics path). On a read path that takes the store's {@code Position} monitor
 * before the store's own, the stream thread deadlocks within seconds and the payments never settle; this test then
 * fails on its bound, naming the deadlocked threads.
 */
class QueriesUnderWritesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<AuditKind> MOVEMENTS = Set.of(AuditKind.DEBIT, AuditKind.CREDIT, AuditKind.REVERSAL);
    private static final int ACCOUNTS = 40;
    private static final int TRANSFERS = 4_000;
    /** Query threads: more than the Jetty pool's minimum, so reads really overlap each other and the writes. */
    private static final int READERS = 16;
    private static final long OPENING_BALANCE = 1_000_000;
    /** Generous for 4,000 transfers on two shared cores (they settle in seconds); a deadlock never settles. */
    private static final Duration SETTLE = Duration.ofMinutes(2);
    /** Every reader loop stops by then whatever happens, so a hung processor cannot hang the build. */
    private static final Duration READERS_MAX = Duration.ofMinutes(4);

    private InProcessKafka kafka;
    private DropwizardTestSupport<ProcessorConfiguration> app;
    private ExecutorService readers;
    private final AtomicBoolean stopReading = new AtomicBoolean();

    @BeforeEach
    void start() throws Exception {
        kafka = InProcessKafka.start();
        // A sensitive stall watchdog that never exits: heavy load must not look like a stall. 15 s, a quarter of the
        // production default: at 5 s it fired once in a full `make test` on two cores, on a stream thread that sat
        // more than 5 s in sendOffsetsToTransaction (a commit retrying CONCURRENT_TRANSACTIONS) and then went on.
        // A deadlock still fires it well within the test's 120 s bound.
        app = ProcessorUnderTest.on(kafka.bootstrapServers(), ConfigOverride.config("stall.timeout", "15s"),
                ConfigOverride.config("stall.exitAfter", "0s"));
        app.before();
        await().atMost(Duration.ofSeconds(60)).until(() -> streams().state() == KafkaStreams.State.RUNNING);
    }

    @AfterEach
    void stop() throws Exception {
        stopReading.set(true);
        if (readers != null) {
            readers.shutdownNow();
            readers.awaitTermination(30, TimeUnit.SECONDS);
        }
        if (app != null && deadlockedThreads().isEmpty()) {
            // A deadlocked stream thread never closes; leave it for the JVM's exit rather than hang here.
            app.after();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void settlesEveryPaymentWhileManyReadersQueryEveryStore() throws Exception {
        long seed = System.nanoTime();
        System.out.println("QueriesUnderWritesIT seed " + seed);
        Random random = new Random(seed);
        List<String> accountIds = openAndFundAccounts();

        List<String> paymentIds = new CopyOnWriteArrayList<>();
        Answers answers = new Answers();
        readers = Executors.newFixedThreadPool(READERS + 2);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < READERS; i++) {
            long readerSeed = random.nextLong();
            running.add(readers.submit(() -> readOverHttp(new Random(readerSeed), accountIds, paymentIds, answers)));
        }
        running.add(readers.submit(this::readInFlightTotals));
        AtomicLong metricReads = new AtomicLong();
        running.add(readers.submit(() -> readEveryMetric(metricReads)));

        List<Map.Entry<String, PaymentRequest>> transfers = new ArrayList<>();
        for (int i = 0; i < TRANSFERS; i++) {
            String from = accountIds.get(random.nextInt(ACCOUNTS));
            // One in 50 goes to an account that does not exist, so reversals run under load too.
            String to = random.nextInt(50) == 0 ? "load-missing" : accountIds.get(random.nextInt(ACCOUNTS));
            PaymentRequest transfer = aTransfer(from, to, 1 + random.nextInt(5_000))
                    .setPaymentId(paymentId("load-transfer-" + seed + "-" + i)).build();
            transfers.add(Map.entry(transfer.getPaymentId(), transfer));
        }
        // Written in slices, so that readers ask for payments that are still settling.
        for (int from = 0; from < TRANSFERS; from += 500) {
            List<Map.Entry<String, PaymentRequest>> slice = transfers.subList(from, Math.min(TRANSFERS, from + 500));
            kafka.produceAll(Topics.PAYMENT_REQUESTS, slice);
            slice.forEach(entry -> paymentIds.add(entry.getKey()));
        }

        // Settlement is read from the events topic, never from the stores, so a hung store cannot hang the check.
        try (var events = kafka.reader(Topics.PAYMENT_EVENTS)) {
            Set<String> ours = Set.copyOf(paymentIds);
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                    .failFast("a deadlock in the processor", () -> !deadlockedThreads().isEmpty())
                    .until(() -> events.values().stream().filter(e -> e.getStatus() != PaymentStatus.ACCEPTED
                            && ours.contains(e.getPaymentId())).count() == TRANSFERS);
        } finally {
            assertThat(deadlockedThreads()).as("deadlocked threads").isEmpty();
        }
        stopReading.set(true);
        for (Future<?> reader : running) {
            reader.get(30, TimeUnit.SECONDS);
        }
        System.out.println("query answers while " + TRANSFERS + " transfers settled: " + answers.byStatus);
        assertThat(answers.unexpected).as("answers other than 200, 404 or 503").isEmpty();
        assertThat(metricReads.get()).as("Kafka Streams metric values read during the load").isGreaterThan(10_000);
        assertThat(app.<ProcessorApplication>getApplication().registry().get("paystream.processor.stalls")
                .counter().count()).as("stalls the watchdog saw under load").isZero();
        assertThat(answers.wentBack).as("statuses that left a terminal state").isEmpty();
        assertThat(answers.byStatus.getOrDefault(200, new AtomicLong()).get())
                .as("successful reads during the load").isGreaterThan(1_000);
        assertInvariants(accountIds, paymentIds);
    }

    private List<String> openAndFundAccounts() throws Exception {
        List<String> accountIds = Workloads.openAccounts(kafka, "load-", ACCOUNTS);
        await().atMost(SETTLE).until(() -> accountIds.stream().allMatch(id -> account(id) != null));
        Workloads.topUp(kafka, accountIds, OPENING_BALANCE);
        await().atMost(SETTLE).until(() -> accountIds.stream()
                .allMatch(id -> account(id).getBalance() == OPENING_BALANCE));
        return accountIds;
    }

    /** One HTTP reader: balances and payment statuses in turn, until told to stop or out of time. */
    private void readOverHttp(Random random, List<String> accountIds, List<String> paymentIds, Answers answers) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READERS_MAX.toNanos();
        Map<String, String> terminalSeen = new java.util.HashMap<>();
        while (!stopReading.get() && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            try {
                String accountId = accountIds.get(random.nextInt(accountIds.size()));
                answers.record("/v1/accounts/" + accountId, get(http, "/v1/accounts/" + accountId));
                if (!paymentIds.isEmpty()) {
                    String paymentId = paymentIds.get(random.nextInt(paymentIds.size()));
                    HttpResponse<String> payment = get(http, "/v1/payments/" + paymentId);
                    answers.record("/v1/payments/" + paymentId, payment);
                    if (payment.statusCode() == 200) {
                        String status = JSON.readTree(payment.body()).get("status").asText();
                        String terminal = terminalSeen.get(paymentId);
                        if (terminal != null && !terminal.equals(status)) {
                            answers.wentBack.add(paymentId + ": " + terminal + " then " + status);
                        }
                        if (!status.equals("PROCESSING")) {
                            terminalSeen.put(paymentId, status);
                        }
                    }
                }
            } catch (java.net.http.HttpTimeoutException e) {
                answers.timedOut();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                answers.unexpected.add(e.toString());
            }
        }
    }

    /** The metrics path: the in-flight gauges iterate the ledger-flows store through interactive queries. */
    private void readInFlightTotals() {
        InFlightGauges gauges = new InFlightGauges(new SimpleMeterRegistry(), this::streams,
                LedgerTopology.FLOWS_STORE);
        long deadline = System.nanoTime() + READERS_MAX.toNanos();
        while (!stopReading.get() && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            gauges.refresh();
        }
    }

    /**
     * What Micrometer's Kafka binder and a Prometheus scrape do, without their pauses: read the value of every metric
     * that the client exposes, from a thread that is not the stream thread. Kafka Streams 4.4.0's transactional
     * stores have an {@code uncommitted-bytes} gauge that reads the store's native RocksDB write batch, which every
     * commit frees and replaces; a read in that window killed the processor JVM with SIGSEGV. If such a gauge is
     * exposed, this loop kills this JVM, and the build fails.
     */
    private void readEveryMetric(AtomicLong reads) {
        // The list is taken again every 50 ms, so that the metrics of stores that come and go are read too.
        long deadline = System.nanoTime() + READERS_MAX.toNanos();
        List<Metric> metrics = List.of();
        long refreshed = 0;
        while (!stopReading.get() && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            if (System.nanoTime() - refreshed > TimeUnit.MILLISECONDS.toNanos(50)) {
                metrics = List.copyOf(streams().metrics().values());
                refreshed = System.nanoTime();
            }
            for (Metric metric : metrics) {
                metric.metricValue();
                reads.incrementAndGet();
            }
        }
    }

    private HttpResponse<String> get(HttpClient http, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer local-dev-key").GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void assertInvariants(List<String> accountIds, List<String> paymentIds) throws Exception {
        Set<String> ours = Set.copyOf(accountIds);
        try (var events = kafka.reader(Topics.PAYMENT_EVENTS); var audits = kafka.reader(Topics.AUDIT)) {
            List<PaymentEvent> committedEvents = new ArrayList<>();
            long expectedTerminal = (long) paymentIds.size() + ACCOUNTS;
            await().atMost(SETTLE).until(() -> {
                committedEvents.clear();
                committedEvents.addAll(events.values());
                return committedEvents.stream().filter(e -> e.getStatus() != PaymentStatus.ACCEPTED).count()
                        == expectedTerminal;
            });
            List<AccountState> accounts = accountIds.stream().map(this::account).toList();
            long movements = accounts.stream().mapToLong(AccountState::getEntrySeq).sum();
            List<AuditRecord> journal = new ArrayList<>();
            // The journal is read until it holds as many movements as the accounts have entries, then checked.
            await().atMost(SETTLE).until(() -> {
                journal.clear();
                audits.values().stream().filter(a -> ours.contains(a.getAccountId())).forEach(journal::add);
                return journal.stream().filter(a -> MOVEMENTS.contains(a.getKind())).count() >= movements;
            });
            ReadOnlyKeyValueStore<String, PaymentState> payments = store(PaymentStatusTopology.PAYMENTS_STORE);
            assertThat(LedgerInvariants.violations(committedEvents, journal, accounts, id -> {
                PaymentState state = payments.get(id);
                return state == null ? null : state.getStatus();
            })).isEmpty();
        }
    }

    private KafkaStreams streams() {
        return app.<ProcessorApplication>getApplication().streams().streams();
    }

    private AccountState account(String accountId) {
        return this.<AccountState>store(LedgerTopology.ACCOUNTS_STORE).get(accountId);
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams().store(StoreQueryParameters.fromNameAndType(name,
                QueryableStoreTypes.<String, V>keyValueStore()));
    }

    /** The JVM's deadlocked threads (the processor runs in this JVM), with what each holds and waits for. */
    private static List<String> deadlockedThreads() {
        var threads = ManagementFactory.getThreadMXBean();
        long[] ids = threads.findDeadlockedThreads();
        if (ids == null) {
            return List.of();
        }
        return Arrays.stream(threads.getThreadInfo(ids, true, true))
                .map(ThreadInfo::toString).collect(Collectors.toList());
    }

    /** What the readers were answered, counted by HTTP status, and anything a correct query API never answers. */
    private static final class Answers {
        final Map<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();
        final List<String> unexpected = new CopyOnWriteArrayList<>();
        final List<String> wentBack = new CopyOnWriteArrayList<>();

        void record(String path, HttpResponse<String> response) {
            byStatus.computeIfAbsent(response.statusCode(), s -> new AtomicLong()).incrementAndGet();
            if (!Set.of(200, 404, 503).contains(response.statusCode())) {
                unexpected.add(path + " -> " + response.statusCode() + " " + response.body());
            }
        }

        /** A request that got no answer within its 10 s timeout, counted under -1. */
        void timedOut() {
            byStatus.computeIfAbsent(-1, s -> new AtomicLong()).incrementAndGet();
        }
    }
}
