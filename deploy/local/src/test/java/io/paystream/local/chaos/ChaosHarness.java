package io.paystream.local.chaos;

import io.paystream.local.LocalCluster;
import io.paystream.schemas.avro.PaymentRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs scenarios against a {@link LocalCluster}: a seeded workload with faults injected while it runs, a quiet period,
 * then the {@link Checker}. Collects, per scenario, the payments sent, the faults injected, the time each took to
 * recover (until every running processor is healthy and a canary top-up completes), and the new violations.
 * {@link QueryReaders} query every running processor throughout.
 */
final class ChaosHarness implements AutoCloseable {
    /** How long a fault may take to heal before the run gives up on it (and reports it). */
    private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(3);

    private final LocalCluster cluster;
    private final Workload workload;
    private final Checker checker;
    private final List<String> accounts;
    private final QueryReaders readers;
    private final ExecutorService background = Executors.newSingleThreadExecutor();
    private final Set<String> seenViolations = new HashSet<>();
    final List<ScenarioResult> results = new ArrayList<>();

    /** One row of the summary table. */
    record ScenarioResult(String name, int payments, int faults, List<Duration> recoveries, List<String> violations) {
    }

    /** What a scenario does to the cluster while the workload runs; it records each fault's recovery time. */
    @FunctionalInterface
    interface Faults {
        void inject(ChaosHarness harness, List<Duration> recoveries) throws Exception;
    }

    ChaosHarness(Path home, long seed, int processors, long commitIntervalMs) throws Exception {
        this(home, seed, processors, commitIntervalMs, 1);
    }

    /** A harness on {@code brokers} KRaft nodes: 1, or 3 for the replicated cluster. */
    ChaosHarness(Path home, long seed, int processors, long commitIntervalMs, int brokers) throws Exception {
        // Partitions 6; a stall timeout more sensitive than the 60 s default, yet above the longest broker restart
        // measured here (29 s), which leaves records waiting without being a stall. The readers report any stall
        // as a violation. The workload is bounded: the ingress's limiter must not be what it measures.
        cluster = new LocalCluster(Path.of("../.."), home,
                new LocalCluster.Options(commitIntervalMs, 1, 6, "45s", 5000, false, "384m", true), brokers);
        cluster.startBroker();
        cluster.startPostgres();
        for (int i = 0; i < processors; i++) {
            cluster.startProcessor(i, true);
        }
        cluster.startIngress();
        cluster.startConnect();
        workload = new Workload(seed, cluster);
        accounts = workload.openAccounts();
        checker = new Checker(cluster.bootstrapServers(), cluster.queryUrl(0), cluster::acquirer);
        awaitRecovery();
        // Readers run through every scenario, against every running processor, as clients would.
        readers = new QueryReaders(cluster, accounts, () -> {
            Set<String> known = new HashSet<>(workload.acceptedOverHttp);
            known.addAll(workload.acceptedDirect);
            return known;
        }, seed);
    }

    LocalCluster cluster() {
        return cluster;
    }

    /** Runs one scenario: workload and faults together, then quiet, then the checker. */
    void scenario(String name, int payments, Faults faults) throws Exception {
        String only = System.getProperty("paystream.chaos.only", "");
        if (!only.isBlank() && !name.contains(only)) {
            System.out.println("scenario left out (-Dpaystream.chaos.only=" + only + "): " + name);
            return;
        }
        List<Duration> recoveries = new ArrayList<>();
        Future<?> injected = background.submit(() -> {
            faults.inject(this, recoveries);
            return null;
        });
        workload.run(payments, 40, Duration.ofMinutes(10));
        injected.get(15, TimeUnit.MINUTES);
        // Quiet means the card path answers again too: a Connect worker killed last may still be rejoining its group.
        awaitRecovery(true);
        Set<String> accepted = new HashSet<>(workload.acceptedOverHttp);
        accepted.addAll(workload.acceptedDirect);
        List<String> fresh = new ArrayList<>();
        for (String violation : checker.check(accounts, accepted, readers)) {
            if (seenViolations.add(violation)) {
                fresh.add(violation);
            }
        }
        for (String exit : cluster.unexpectedExits()) {
            if (seenViolations.add(exit)) {
                fresh.add(exit);
            }
        }
        results.add(new ScenarioResult(name, payments, recoveries.size(), recoveries, fresh));
    }

    /** Kills (SIGKILL) processor {@code instance}, restarts it after a pause, and measures the recovery. */
    Duration crashAndRestartProcessor(int instance, Duration down) throws Exception {
        Instant start = Instant.now();
        cluster.killProcessor(instance);
        TimeUnit.MILLISECONDS.sleep(down.toMillis());
        cluster.startProcessor(instance, false);
        awaitRecovery();
        return Duration.between(start, Instant.now());
    }

    /** How long to wait for the brokers to be back in sync after a broker fault. */
    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(4);

    /**
     * Waits until every partition of every topic has all its replicas in sync again: the restarted broker has caught
     * up. Returns how long that took.
     */
    Duration awaitInSync() throws Exception {
        Instant start = Instant.now();
        Instant deadline = start.plus(CATCH_UP_LIMIT);
        int behind = cluster.underReplicatedPartitions();
        while (behind > 0) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(behind + " partitions still under-replicated after " + CATCH_UP_LIMIT);
            }
            TimeUnit.MILLISECONDS.sleep(500);
            behind = cluster.underReplicatedPartitions();
        }
        return Duration.between(start, Instant.now());
    }

    /** The ledger partition of the hottest account, whose leader the cluster scenarios kill. */
    int hottestLedgerPartition() {
        byte[] key = accounts.get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key))
                % cluster.options().partitions();
    }

    /**
     * {@code kill -9} of broker {@code node} (with processor {@code alsoProcessor} at the same moment, unless -1),
     * restart after {@code down}, then wait until the pipeline recovers and every replica is in sync again. The
     * recovery runs from the kill to the end of the catch-up.
     */
    Duration crashAndRestartBroker(int node, int alsoProcessor, Duration down) throws Exception {
        Instant start = Instant.now();
        cluster.killBroker(node);
        if (alsoProcessor >= 0) {
            cluster.killProcessor(alsoProcessor);
        }
        TimeUnit.MILLISECONDS.sleep(down.toMillis());
        cluster.startBroker(node);
        if (alsoProcessor >= 0) {
            cluster.startProcessor(alsoProcessor, false);
        }
        awaitRecovery();
        awaitInSync();
        return Duration.between(start, Instant.now());
    }

    /** Waits until every running processor is healthy and a canary top-up completes through the pipeline. */
    Duration awaitRecovery() throws Exception {
        return awaitRecovery(false);
    }

    /**
     * Waits until the processors are healthy and a canary top-up completes; {@code throughCard}: a card top-up, which
     * also needs the acquirer connector to charge and answer.
     */
    Duration awaitRecovery(boolean throughCard) throws Exception {
        Instant start = Instant.now();
        Instant deadline = start.plus(RECOVERY_LIMIT);
        while (!cluster.processorsHealthy()) {
            pause(deadline, "processors to become healthy");
        }
        HttpClient http = HttpClient.newHttpClient();
        List<Integer> running = cluster.runningProcessors();
        String lastAnswer = "none yet";
        while (true) {
            PaymentRequest canary = workload.canary(accounts.get(0), "USD", throughCard ? "tok_approve" : null);
            URI uri = URI.create(cluster.queryUrl(running.get(0)) + "/v1/payments/" + canary.getPaymentId());
            boolean rejected = false;
            while (!rejected) {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer local-dev-key").GET()
                            .build(), HttpResponse.BodyHandlers.ofString());
                    lastAnswer = response.statusCode() + " " + response.body();
                    if (response.statusCode() == 200 && response.body().contains("\"status\":\"COMPLETED\"")) {
                        return Duration.between(start, Instant.now());
                    }
                    // Right after the accounts are opened, the top-up's credit can reach the ledger before the
                    // account's OPEN does (they come through two intakes): it is rejected, so send another.
                    rejected = response.statusCode() == 200 && response.body().contains("\"status\":\"REJECTED\"");
                    if (rejected) {
                        System.out.println("canary rejected, sending another: " + response.body());
                    }
                } catch (java.io.IOException e) {
                    // The instance is still starting; keep polling within the deadline.
                }
                pause(deadline, "a canary payment to complete (last answer: " + lastAnswer + ")");
            }
        }
    }

    private void pause(Instant deadline, String what) throws InterruptedException {
        List<String> exits = cluster.unexpectedExits();
        if (!exits.isEmpty()) {
            throw new IllegalStateException("while waiting for " + what + ": " + String.join("; ", exits));
        }
        if (Instant.now().isAfter(deadline)) {
            dumpThreads();
            throw new IllegalStateException("gave up waiting for " + what + " after " + RECOVERY_LIMIT
                    + "; thread dumps of every process are in " + cluster.logs());
        }
        TimeUnit.MILLISECONDS.sleep(250);
    }

    /**
     * What every process of the stack was doing when a fault did not heal: {@code jcmd PID Thread.print} into
     * {@code logs/NAME.threads.txt}. A hang leaves no log line behind; its threads say where it waits.
     */
    private void dumpThreads() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        cluster.processes().forEach((name, handle) -> {
            if (name.equals("postgres")) {
                return;
            }
            try {
                Process dump = new ProcessBuilder(jcmd.toString(), String.valueOf(handle.pid()), "Thread.print")
                        .redirectErrorStream(true)
                        .redirectOutput(cluster.logs().resolve(name + ".threads.txt").toFile())
                        .start();
                if (!dump.waitFor(30, TimeUnit.SECONDS)) {
                    dump.destroyForcibly();
                }
            } catch (java.io.IOException e) {
                System.out.println("no thread dump of " + name + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    Workload workload() {
        return workload;
    }

    /** The summary table, ending with {@code violations: N}. */
    String report(long seed) {
        StringBuilder table = new StringBuilder();
        table.append(String.format("%nchaos run, seed %d%n", seed));
        table.append(String.format("%-34s %9s %7s %-40s %11s%n", "scenario", "payments", "faults",
                "recovery per fault (s)", "violations"));
        int total = 0;
        for (ScenarioResult result : results) {
            StringBuilder recoveries = new StringBuilder();
            for (Duration recovery : result.recoveries()) {
                recoveries.append(recoveries.length() == 0 ? "" : " ")
                        .append(String.format("%.1f", recovery.toMillis() / 1000.0));
            }
            table.append(String.format("%-34s %9d %7d %-40s %11d%n", result.name(), result.payments(),
                    result.faults(), recoveries, result.violations().size()));
            result.violations().forEach(v -> table.append("    ").append(v).append('\n'));
            total += result.violations().size();
        }
        table.append(String.format("accepted over HTTP: %d (%d batches among them, %d atomic; the checker found %d "
                + "atomic batches on the topic: %d moved whole, the others not at all), direct: %d, refused (422): "
                + "%d, resubmissions: %d, never answered: %d, captures, voids and refunds: %d%n",
                workload.acceptedOverHttp.size(), workload.batches.get(), workload.atomicBatches.get(),
                checker.atomicBatches(), checker.atomicMoved(), workload.acceptedDirect.size(),
                workload.refusedOverHttp.get(), workload.resubmissions.get(), workload.unansweredOverHttp.get(),
                workload.actions.get()));
        table.append(String.format("events by status in the last check: %s%n", new java.util.TreeMap<>(
                checker.outcomes())));
        table.append(String.format("card top-ups: %d sent, %d declined by the acquirer (REJECTED CARD_DECLINED), "
                + "%d approved and refunded because the payee was frozen before the answer%n",
                workload.cardTopUps.get(), checker.cardDeclined(), checker.refundedCharges()));
        table.append(String.format("balance monitors: %d, crossed %d times in the last check, one event each by the "
                + "journal%n", checker.monitors(), checker.crossings()));
        table.append(String.format("query readers (balances, statuses, history on every running processor), answers "
                + "by HTTP status (-1: no connection): %s%n", new java.util.TreeMap<>(readers.answers)));
        table.append(String.format("tasks found corrupted and re-initialized from the changelog (Kafka Streams log "
                + "lines): %d%n", wipedTaskState()));
        table.append("violations: ").append(total).append('\n');
        return table.toString();
    }

    /**
     * How often a processor found a task's local state unusable and rebuilt it from the changelog, from Kafka
     * Streams' own log lines: without transactional stores, every task a {@code kill -9} interrupts under
     * exactly-once.
     */
    private long wipedTaskState() {
        try (var logs = Files.list(cluster.logs())) {
            long wiped = 0;
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("processor-")).toList()) {
                try (var lines = Files.lines(log)) {
                    wiped += lines.filter(line -> line.contains("are corrupted and hence need to be re-initialized"))
                            .count();
                }
            }
            return wiped;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the processors' logs", e);
        }
    }

    int violations() {
        return results.stream().mapToInt(r -> r.violations().size()).sum();
    }

    @Override
    public void close() {
        if (readers != null) {
            readers.close();
        }
        background.shutdownNow();
        workload.close();
        cluster.close();
    }
}
