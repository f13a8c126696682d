package io.paystream.local.chaos;

import io.paystream.local.LocalCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.PaymentStatuses;
import io.paystream.schemas.avro.PaymentStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Clients reading while the chaos runs: threads that query balances, payment statuses and account history (from
 * PostgreSQL) on every running processor, and watch each processor's stall gauge. They record what they were told;
 * {@link #violations} then checks it against the committed journal: every balance and history entry served is a state
 * the journal passed through (a {@code balanceAfter} at that {@code entrySeq}, or the opening zero), every final status served is the payment's
 * committed one, no reader sees a status leave a final state, every answer is 200, 404 or 503, and no processor
 * stalls. Bounded: each reader makes at most {@link #READS_PER_SECOND} requests a second and stops at {@link #close}.
 */
final class QueryReaders implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int READERS = 4;
    /** Enough to overlap every fault with reads, few enough not to be the load the run measures. */
    private static final int READS_PER_SECOND = 20;
    /** A stall must be reported well before the canary's 180 s recovery limit, but a broker restart is no stall. */
    private static final Duration STALL_SAMPLE = Duration.ofSeconds(2);

    private final LocalCluster cluster;
    private final List<String> accounts;
    private final Supplier<Collection<String>> payments;
    private final ExecutorService threads = Executors.newFixedThreadPool(READERS + 1);
    private final AtomicBoolean stop = new AtomicBoolean();
    /** "account/entrySeq" to every balance served at it. */
    private final Map<String, Set<Long>> balancesSeen = new ConcurrentHashMap<>();
    /** Payment id to every final status served for it. */
    private final Map<String, Set<String>> finalStatusesSeen = new ConcurrentHashMap<>();
    private final Set<String> problems = ConcurrentHashMap.newKeySet();
    final Map<Integer, AtomicLong> answers = new ConcurrentHashMap<>();

    QueryReaders(LocalCluster cluster, List<String> accounts, Supplier<Collection<String>> payments, long seed) {
        this.cluster = cluster;
        this.accounts = List.copyOf(accounts);
        this.payments = payments;
        for (int i = 0; i < READERS; i++) {
            Random random = new Random(seed + i);
            var unused = threads.submit(() -> read(random));
        }
        var unused2 = threads.submit(this::watchStalls);
    }

    private void read(Random random) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Map<String, String> finalSeen = new HashMap<>();
        long pauseMs = 1_000 / READS_PER_SECOND;
        while (!stop.get() && !Thread.currentThread().isInterrupted()) {
            List<Integer> running = cluster.runningProcessors();
            if (!running.isEmpty()) {
                String base = cluster.queryUrl(running.get(random.nextInt(running.size())));
                try {
                    switch (random.nextInt(3)) {
                        case 0 -> readBalance(http, base, accounts.get(random.nextInt(accounts.size())));
                        case 1 -> readStatus(http, base, random, finalSeen);
                        default -> readHistory(http, base, accounts.get(random.nextInt(accounts.size())), random);
                    }
                } catch (IOException e) {
                    count(-1); // the instance is down or restarting: what a client sees during a crash
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void readBalance(HttpClient http, String base, String accountId) throws IOException, InterruptedException {
        HttpResponse<String> response = get(http, base + "/v1/accounts/" + accountId);
        if (response.statusCode() == 200) {
            JsonNode account = JSON.readTree(response.body());
            balancesSeen.computeIfAbsent(accountId + "/" + account.get("entrySeq").asLong(),
                    key -> ConcurrentHashMap.newKeySet()).add(account.get("balance").asLong());
        }
    }

    private void readStatus(HttpClient http, String base, Random random, Map<String, String> finalSeen)
            throws IOException, InterruptedException {
        List<String> known = new ArrayList<>(payments.get());
        if (known.isEmpty()) {
            return;
        }
        String paymentId = known.get(random.nextInt(known.size()));
        HttpResponse<String> response = get(http, base + "/v1/payments/" + paymentId);
        if (response.statusCode() != 200) {
            return;
        }
        String status = JSON.readTree(response.body()).get("status").asText();
        String earlier = finalSeen.get(paymentId);
        if (earlier != null && !earlier.equals(status)) {
            problems.add("a reader saw payment " + paymentId + " go from " + earlier + " to " + status);
        }
        // PROCESSING and AUTHORIZED are on the way; any other status is final and must never change.
        if (!status.equals("PROCESSING") && !status.equals("AUTHORIZED")) {
            finalSeen.put(paymentId, status);
            finalStatusesSeen.computeIfAbsent(paymentId, id -> ConcurrentHashMap.newKeySet()).add(status);
        }
    }

    /** History comes from PostgreSQL, which the sinks fill from the committed journal: its entries are states too. */
    private void readHistory(HttpClient http, String base, String accountId, Random random) throws IOException,
            InterruptedException {
        String page = "/v1/accounts/" + accountId + "/entries?limit=20";
        // A client pages through with the cursor it was given; the readers follow up to three pages.
        for (int pages = 0; page != null && pages < 1 + random.nextInt(3); pages++) {
            HttpResponse<String> response = get(http, base + page);
            if (response.statusCode() != 200) {
                return;
            }
            JsonNode body = JSON.readTree(response.body());
            for (JsonNode entry : body.get("entries")) {
                balancesSeen.computeIfAbsent(accountId + "/" + entry.get("entrySeq").asLong(),
                        key -> ConcurrentHashMap.newKeySet()).add(entry.get("balanceAfter").asLong());
            }
            page = body.get("next").isNull() ? null : "/v1/accounts/" + accountId + "/entries?limit=20&after="
                    + body.get("next").asText();
        }
    }

    private HttpResponse<String> get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer local-dev-key").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        count(response.statusCode());
        if (response.statusCode() != 200 && response.statusCode() != 404 && response.statusCode() != 503) {
            problems.add("a reader got " + response.statusCode() + " from " + url + ": " + response.body());
        }
        return response;
    }

    private void count(int status) {
        answers.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    }

    /** Samples every running processor's stall gauge. */
    private void watchStalls() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (!stop.get() && !Thread.currentThread().isInterrupted()) {
            for (int instance : cluster.runningProcessors()) {
                try {
                    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(
                            cluster.adminUrl(instance) + "/metrics")).timeout(Duration.ofSeconds(5)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (metrics.body().contains("\npaystream_processor_stalled 1.0")) {
                        problems.add("processor " + instance + " stalled (paystream_processor_stalled 1)");
                    }
                } catch (IOException e) {
                    // Down or restarting; a processor that never comes back fails the canary instead.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(STALL_SAMPLE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * What the readers were told that the committed topics contradict, plus what they saw go wrong on the way.
     *
     * @param audits every committed journal entry, each account's in order
     * @param events every committed payment event
     */
    List<String> violations(List<AuditRecord> audits, List<PaymentEvent> events) {
        List<String> violations = new ArrayList<>(problems);
        Map<String, Long> journal = new HashMap<>();
        for (AuditRecord audit : audits) {
            // Every balance movement carries an entrySeq (DEBIT, CREDIT, REVERSAL, CAPTURE); nothing else does.
            if (audit.getEntrySeq() != null && audit.getBalanceAfter() != null) {
                journal.put(audit.getAccountId() + "/" + audit.getEntrySeq(), audit.getBalanceAfter());
            }
        }
        balancesSeen.forEach((accountAtSeq, balances) -> {
            Long committed = accountAtSeq.endsWith("/0") ? Long.valueOf(0) : journal.get(accountAtSeq);
            for (long balance : balances) {
                if (committed == null || committed != balance) {
                    violations.add("a reader was served balance " + balance + " for " + accountAtSeq.replace("/",
                            " at entrySeq ") + ", the committed journal " + (committed == null
                            ? "never reached that entrySeq" : "says " + committed));
                }
            }
        });
        Map<String, String> committedFinal = new HashMap<>();
        events.stream().filter(e -> PaymentStatuses.isTerminal(e.getStatus()))
                .forEach(e -> committedFinal.put(e.getPaymentId(), e.getStatus().name()));
        finalStatusesSeen.forEach((paymentId, statuses) -> {
            Set<String> wrong = new HashSet<>(statuses);
            wrong.remove(committedFinal.get(paymentId));
            if (!wrong.isEmpty()) {
                violations.add("a reader was served " + wrong + " for payment " + paymentId
                        + ", its committed final status is " + committedFinal.get(paymentId));
            }
        });
        return violations;
    }

    @Override
    public void close() {
        stop.set(true);
        threads.shutdown();
        try {
            if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
