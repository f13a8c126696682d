package io.paystream.bench;

import io.paystream.local.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code make bench}: starts the stack as separate processes on loopback (the broker, PostgreSQL, the processor, the
 * ingress and the sinks, as {@code make run} does) and measures it side by
 * side with the raw broker and a plain PostgreSQL ledger in the same run. Prints progress, then one table, and writes
 * the figures as JSON.
 *
 * <p>Arguments: {@code --smoke} (the short form {@code make bench-smoke} checks), {@code --scale-accounts=N},
 * {@code --only=latency,ingress,...} (the raw and pipeline figures always run; see {@link #SECTIONS}),
 * {@code --otel} (the apps with the OpenTelemetry agent attached, exporting nothing, to measure its cost; by default
 * they run without it, as {@code make run} does when no exporter is set), {@code --profile} (JFR on
 * the processor and the ingress during extra runs, so the measured figures stay clean),
 * {@code --out=FILE}, {@code --home=DIR}, {@code --root=DIR}.
 */
public final class Bench {
    private static final String AUTH = "Bearer local-dev-key";
    private static final long DEFAULT_COMMIT_MS = 100;
    /** The processor's own defaults (streams-processor/config.yml): the main figures measure what users run. */
    private static final int DEFAULT_THREADS = 1;
    private static final Duration SETTLE_LIMIT = Duration.ofMinutes(2);
    /** The stack counts as settled when its processes use less than this many cores together. */
    private static final double QUIET_CORES = 0.3;
    /** Marks a directory as a benchmark's home, which the next run may wipe. */
    private static final String HOME_MARKER = ".bench-home";
    /** Connections of the closed HTTP loops, as the outside probe's wrk used. */
    private static final int CONNECTIONS = 32;
    /** Warm-up backlogs run until the processor's JIT compilers use less than this over one. */
    private static final double JIT_QUIET_CORES = 0.05;
    private static final int MAX_WARM_UPS = 6;

    private static final Pattern STREAM_THREAD_RATIO = Pattern.compile(
            "^kafka_stream_thread_(process|poll|commit|punctuate)_ratio\\{[^}]*}\\s+(\\S+)$", Pattern.MULTILINE);
    static final List<String> SECTIONS = List.of("postgres", "hot", "batches", "atomic", "journal", "latency", "ingress", "query", "sweeps",
            "recovery", "scale", "start");
    /** Transfers per transaction of the batched PostgreSQL ledger. */
    private static final int POSTGRES_BATCH = 100;
    /** The batched PostgreSQL ledger's second, smaller client count. */
    private static final int POSTGRES_BATCH_CLIENTS = 4;

    private final BenchSize size;
    private final Set<String> sections;
    private final Path profiles;
    private final LocalCluster cluster;
    private final Report report;
    private final PrintStream out;
    private final HttpLoad http = new HttpLoad();
    /** Recently sent transfer ids, for status lookups. */
    private final ConcurrentLinkedDeque<String> recent = new ConcurrentLinkedDeque<>();
    private Payments payments;
    private double maxPerSecond;
    /** The PostgreSQL ledger's faster setting in this run, which the hot-account section uses too. */
    private String fasterSynchronousCommit = "on";

    Bench(BenchSize size, Set<String> sections, Path profiles, LocalCluster cluster, Report report,
            PrintStream out) {
        this.size = size;
        this.sections = sections;
        this.profiles = profiles;
        this.cluster = cluster;
        this.report = report;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        // Progress and the table go to stdout; the clients' INFO lines would drown them.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        BenchSize size = BenchSize.FULL;
        Path root = Path.of(".");
        Path home = null;
        Path output = null;
        boolean profile = false;
        boolean telemetry = false;
        Set<String> sections = new LinkedHashSet<>(SECTIONS);
        for (String arg : args) {
            if (arg.equals("--smoke")) {
                size = BenchSize.SMOKE;
            } else if (arg.startsWith("--scale-accounts=")) {
                size = size.withScaleAccounts(Integer.parseInt(arg.substring("--scale-accounts=".length())));
            } else if (arg.startsWith("--only=")) {
                sections = new LinkedHashSet<>(List.of(arg.substring("--only=".length()).split(",")));
                sections.remove("");
                if (!SECTIONS.containsAll(sections)) {
                    System.err.println("bench: --only takes some of " + SECTIONS);
                    System.exit(2);
                }
            } else if (arg.equals("--otel")) {
                telemetry = true;
            } else if (arg.equals("--profile")) {
                profile = true;
            } else if (arg.startsWith("--out=")) {
                output = Path.of(arg.substring("--out=".length()));
            } else if (arg.startsWith("--home=")) {
                home = Path.of(arg.substring("--home=".length()));
            } else if (arg.startsWith("--root=")) {
                root = Path.of(arg.substring("--root=".length()));
            } else {
                System.err.println("bench: unknown argument " + arg
                        + " (known: --smoke, --scale-accounts=N, --only=SECTIONS, --profile, --otel, --out=FILE,"
                        + " --home=DIR, --root=DIR)");
                System.exit(2);
            }
        }
        String stamp = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm'Z'").withZone(ZoneOffset.UTC)
                .format(Instant.now());
        if (home == null) {
            home = root.resolve(".paystream/bench");
        }
        if (output == null) {
            output = root.resolve("bench/results/" + stamp + ".json");
        }
        Report report = new Report(System.out);
        try {
            run(report, size, sections, telemetry, root, home, profile ? home.resolve("profiles") : null, System.out);
        } finally {
            // A section that failed still leaves the figures measured before it, marked as incomplete.
            report.writeJson(output);
            System.out.println();
            report.printTable(System.out);
            System.out.println();
            System.out.println("written to " + output.toAbsolutePath().normalize());
        }
    }

    /**
     * Starts a fresh stack under {@code home}, measures every section, stops the stack; returns the figures. With
     * {@code profiles} set, also records JFR profiles there during extra runs.
     */
    static Report run(Report report, BenchSize size, Set<String> sections, boolean telemetry, Path root,
            Path home, Path profiles, PrintStream out) throws Exception {
        deleteRecursively(home);
        Files.createDirectories(home);
        Files.writeString(home.resolve(HOME_MARKER), "made by make bench; the next run wipes this directory\n");
        report.context("complete", false);
        LocalCluster.Options options = new LocalCluster.Options(DEFAULT_COMMIT_MS, DEFAULT_THREADS, 12, "60s",
                1_000_000, telemetry, "1g", false);
        report.context("size", size.name());
        report.context("sections", sections);
        report.context("openTelemetryAgent", telemetry);
        report.context("started", Instant.now().toString());
        report.context("cores", Runtime.getRuntime().availableProcessors());
        report.context("java", System.getProperty("java.version"));
        out.println("bench (" + size.name() + "): starting the stack in " + home.toAbsolutePath().normalize());
        try (LocalCluster cluster = new LocalCluster(root, home, options)) {
            long started = System.nanoTime();
            cluster.startBroker();
            cluster.startPostgres();
            cluster.startProcessor(0, true);
            cluster.startIngress();
            cluster.startConnect();
            report.context("stackStartSeconds", (System.nanoTime() - started) / 1e9);
            new Bench(size, sections, profiles, cluster, report, out).measure();
            List<String> exits = cluster.unexpectedExits();
            if (!exits.isEmpty()) {
                throw new IllegalStateException("a processor exited during the benchmark: " + exits);
            }
        }
        if (sections.contains("start")) {
            startTimes(report, root, home, telemetry, out);
        }
        report.context("finished", Instant.now().toString());
        report.context("complete", true);
        return report;
    }

    /**
     * {@code make run}'s start, twice, after the measured stack has stopped: on a fresh directory, then again with
     * nothing changed.
     */
    private static void startTimes(Report report, Path root, Path home, boolean telemetry, PrintStream out)
            throws Exception {
        Path startHome = home.resolve("make-run");
        Map<String, String> environment = Map.of("PAYSTREAM_OTEL", telemetry ? "on" : "off");
        double[] seconds = new double[2];
        for (int i = 0; i < 2; i++) {
            out.println("start: make run's launcher, " + (i == 0 ? "on a fresh directory" : "again, nothing changed"));
            out.flush();
            seconds[i] = StartTime.measure(root, startHome, environment);
        }
        report.number("start.freshSeconds", seconds[0]);
        report.number("start.againSeconds", seconds[1]);
        String method = "the launcher of make run (LocalStack), from its start to \"" + StartTime.READY_LINE
                + "\"; " + (telemetry ? "the agent attached (PAYSTREAM_OTEL=on)" : "no agent, as when no exporter is set");
        report.add("start", "make run, fresh directory", String.format("%.1f s", seconds[0]), method);
        report.add("start", "make run, nothing changed", String.format("%.1f s", seconds[1]), method);
    }

    private void measure() throws Exception {
        awaitQuiet();
        double raw = rawCeiling();
        if (sections.contains("postgres")) {
            postgresBaseline();
        }
        payments = new Payments(cluster.bootstrapServers());
        try {
            progress("opening and topping up " + size.accounts() + " accounts");
            payments.openAccounts("acct-", size.accounts(), SETTLE_LIMIT);
            maxPerSecond = pipeline(raw);
            if (sections.contains("hot")) {
                hotAccount();
            }
            if (sections.contains("batches")) {
                batches();
            }
            if (sections.contains("latency")) {
                latencies("", new double[] {0.25, 0.5, 0.75});
            }
            if (sections.contains("atomic")) {
                atomicSplits();
            }
            if (sections.contains("journal")) {
                journalChainCost();
            }
            if (sections.contains("ingress")) {
                ingress();
            }
            if (sections.contains("query")) {
                queries();
            }
            if (size.sweeps() && sections.contains("sweeps")) {
                sweeps();
            }
            if (sections.contains("recovery")) {
                recovery();
            }
            if (sections.contains("scale")) {
                scale();
            }
        } finally {
            payments.close();
        }
    }

    /**
     * Waits (at most a minute) until the freshly started stack has settled: the JVMs compile and Connect scans its
     * plugins for a while after they report healthy, which would take CPU from the first figures.
     */
    private void awaitQuiet() throws InterruptedException {
        progress("waiting for the stack to settle");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        double busy;
        do {
            CpuUse cpu = CpuUse.start(cluster.processes());
            TimeUnit.SECONDS.sleep(2);
            busy = cpu.coresUsed().values().stream().mapToDouble(Double::doubleValue).sum();
        } while (busy > QUIET_CORES && System.nanoTime() < deadline);
        report.context("coresBusyAtStart", busy);
    }

    private double rawCeiling() throws Exception {
        progress("raw broker ceiling");
        double perSecond = RawProducer.measure(cluster.bootstrapServers(), size.rawRecords(), size.rawLimit());
        report.number("raw.recordsPerSecond", perSecond);
        report.add("raw", "producer ceiling", rate(perSecond, "rec/s"), "idempotent acks=all producer, "
                + RawProducer.VALUE_BYTES + " B values, " + RawProducer.PARTITIONS + " partitions, linger 5 ms, up to "
                + size.rawRecords() + " records in " + size.rawLimit().toSeconds() + " s");
        return perSecond;
    }

    /**
     * The PostgreSQL ledger twice: as the embedded server is configured (commits return before the WAL is written),
     * and with the broker's durability (the WAL written to the operating system before the commit returns, as acks=all
     * reaches the broker's page cache; neither fsyncs). The pipeline is compared with the faster of the two.
     */
    private void postgresBaseline() throws Exception {
        double best = 0;
        for (String synchronousCommit : List.of("off", "on")) {
            progress("PostgreSQL ledger baseline, synchronous_commit=" + synchronousCommit);
            PostgresLedger.Result result = PostgresLedger.measure(cluster.jdbcUrl(), size.postgresClients(),
                    size.accounts(), size.postgresRun(), synchronousCommit);
            String label = " (synchronous_commit " + synchronousCommit + ")";
            report.number("postgres.syncCommit" + synchronousCommit + ".transfersPerSecond",
                    result.transfersPerSecond());
            report.add("postgres", "ledger transfers" + label, rate(result.transfersPerSecond(), "/s"),
                    "one transaction per transfer (lock both accounts in id order, insert payment, update 2 "
                            + "balances, insert 2 journal rows), " + size.postgresClients() + " JDBC clients, closed "
                            + "loop, " + size.postgresRun().toSeconds() + " s, the stack's embedded PostgreSQL ("
                            + result.settings() + ")");
            report.add("postgres", "transaction latency" + label, percentiles(result.latency()),
                    "per transaction, closed loop");
            if (result.transfersPerSecond() > best) {
                best = result.transfersPerSecond();
                fasterSynchronousCommit = synchronousCommit;
            }
        }
        report.number("postgres.transfersPerSecond", best);
    }

    /**
     * One backlog drained: throughput, and the CPU it cost.
     *
     * @param perSecond payments per second, from the first send to the last terminal event
     * @param cpuMicros CPU time per payment of each process, and of the stack without the load generator
     * @param cores each process's cores over the drain
     * @param processorThreads the processor's threads' cores over the drain, by group
     * @param processorThreadWaits the same threads' time runnable but waiting for a CPU, in cores
     */
    private record Drain(double perSecond, Map<String, Double> cpuMicros, Map<String, Double> cores,
            Map<String, Double> processorThreads, Map<String, Double> processorThreadWaits) {
        double jitCores() {
            return processorThreads.getOrDefault(ThreadCpu.JIT, 0.0);
        }
    }

    /** Writes {@code count} transfers at once, between the accounts {@code pairs} gives, and waits for them all. */
    private Drain drain(String what, int count, Supplier<String[]> pairs) throws Exception {
        return drain(what, count, pairs, 1);
    }

    /**
     * As {@link #drain(String, int, Supplier)}; with {@code batchSize} above 1, the transfers go as batches of that
     * many, written as the ingress writes a batch (one record per partition of their payers).
     */
    private Drain drain(String what, int count, Supplier<String[]> pairs, int batchSize) throws Exception {
        CpuUse cpu = CpuUse.start(cluster.processes());
        ThreadCpu threads = ThreadCpu.start(cluster.processorHandle(firstRunning()).pid());
        long completedBefore = payments.completed();
        long first = System.nanoTime();
        if (batchSize <= 1) {
            for (int i = 0; i < count; i++) {
                remember(payments.transfer(System.nanoTime(), pairs.get()));
            }
        } else {
            for (int sent = 0; sent < count; sent += batchSize) {
                List<String[]> batch = new ArrayList<>();
                for (int i = sent; i < Math.min(count, sent + batchSize); i++) {
                    batch.add(pairs.get());
                }
                payments.transferBatch(System.nanoTime(), batch);
            }
        }
        settle(what);
        double perSecond = count / ((payments.lastSettledNanos() - first) / 1e9);
        Drain drain = new Drain(perSecond, cpu.microsPer(count), cpu.coresUsed(), threads.coresUsed(),
                threads.coresWaitingForCpu());
        if (payments.completed() - completedBefore < count) {
            throw new IllegalStateException("only " + (payments.completed() - completedBefore) + " of " + count
                    + " transfers of " + what + " completed");
        }
        return drain;
    }

    /**
     * Unmeasured backlogs until the processor's JIT compilers use less than {@link #JIT_QUIET_CORES} over one (at most
     * {@link #MAX_WARM_UPS}): a processor in service is warm, and a fresh one spent 0.3-0.5 of a core compiling
     * through its first backlogs. Returns the compilers' cores during the last warm-up.
     */
    private double warmUp(Supplier<String[]> pairs) throws Exception {
        double jit = Double.NaN;
        for (int round = 1; round <= MAX_WARM_UPS; round++) {
            Drain warm = drain("warm-up backlog " + round, size.backlog() / 2, pairs);
            payments.takeLatency();
            jit = warm.jitCores();
            progress(String.format("  warm-up backlog %d of %,d transfers: %,.0f payments/s, JIT %.2f cores", round,
                    size.backlog() / 2, warm.perSecond(), jit));
            if (jit < JIT_QUIET_CORES) {
                break;
            }
        }
        return jit;
    }

    /** Writes per payment and the backlog drain; returns the measured maximum in payments per second. */
    private double pipeline(double raw) throws Exception {
        progress("pipeline: warm-up backlogs of " + size.backlog() / 2 + " transfers until the JIT is quiet");
        double warmJit = warmUp(payments::randomPair);
        report.context("jitCoresInLastWarmUp", warmJit);
        progress("pipeline: a backlog of " + size.backlog() + " transfers");
        Map<String, Long> before = endOffsets();
        Drain drain = drain("the backlog", size.backlog(), payments::randomPair);
        payments.takeLatency();
        double perSecond = drain.perSecond();
        report.context("coresDuringBacklog", drain.cores());
        report.context("cpuMicrosPerPayment", drain.cpuMicros());
        drain.cpuMicros().forEach((process, micros) -> report.number("cpu.perPayment." + process + ".micros",
                micros));
        report.add("pipeline", "CPU per payment", CpuUse.describeMicros(drain.cpuMicros()), "CPU time of each "
                + "process over the drain divided by the payments drained; stack = every process but bench, the "
                + "load generator");
        report.add("pipeline", "CPU during the backlog", CpuUse.describe(drain.cores()), "CPU time of each process "
                + "of the stack over the drain, in cores (this machine has "
                + Runtime.getRuntime().availableProcessors() + "); bench is this load generator");
        report.context("processorThreadCoresDuringBacklog", drain.processorThreads());
        report.add("pipeline", "processor threads during the backlog", CpuUse.describe(drain.processorThreads()),
                "CPU time of the processor's threads over the drain, in cores, grouped by name (/proc); warm-ups "
                        + "ran until the JIT compilers used under " + JIT_QUIET_CORES + " of a core (last warm-up: "
                        + String.format("%.2f", warmJit) + ")");
        report.context("processorThreadCoresWaitingForCpu", drain.processorThreadWaits());
        report.add("pipeline", "processor threads waiting for a CPU", CpuUse.describe(drain.processorThreadWaits()),
                "time the same threads were runnable but not running (run queue, /proc/<pid>/task/*/schedstat), "
                        + "in cores");
        String split = streamThreadSplit(cluster.adminUrl(0));
        report.context("streamThreadSplit", split);
        report.add("pipeline", "stream thread's time", split, "Kafka Streams' own process-, poll-, commit- and "
                + "punctuate-ratio of the stream thread at the end of the drain (windowed averages)");
        // The sinks and the processor's commits trail the last event a little: let them finish before counting.
        TimeUnit.SECONDS.sleep(3);
        Map<String, Long> after = endOffsets();
        Map<String, Double> perTopic = new TreeMap<>();
        double writes = 0;
        for (Map.Entry<String, Long> end : after.entrySet()) {
            long added = end.getValue() - before.getOrDefault(end.getKey(), 0L);
            if (added > 0) {
                perTopic.put(end.getKey(), (double) added / size.backlog());
                writes += (double) added / size.backlog();
            }
        }
        report.context("writesPerPaymentByTopic", perTopic);
        double bound = raw / writes;
        report.number("pipeline.writesPerPayment", writes);
        report.number("pipeline.paymentsPerSecond", perSecond);
        report.number("pipeline.physicalBound", bound);
        report.add("pipeline", "broker writes per payment", String.format("%.1f", writes),
                "end offsets of every topic but the raw one (internal topics, transaction state, consumer offsets "
                        + "and transaction markers included), before and after the backlog, divided by its size");
        report.add("pipeline", "physical bound", rate(bound, "payments/s"), "raw ceiling / writes per payment");
        report.add("pipeline", "throughput (backlog drained)", rate(perSecond, "payments/s"), size.backlog()
                + " transfers over " + size.accounts() + " accounts written at once to payments.requests.v1; "
                + "from the first send until the last terminal event is visible to a read_committed consumer");
        if (report.number("postgres.transfersPerSecond") != null) {
            double versusPostgres = perSecond / report.number("postgres.transfersPerSecond");
            report.number("pipeline.vsPostgres", versusPostgres);
            report.add("pipeline", "vs PostgreSQL ledger", ratio(versusPostgres),
                    "throughput / the faster PostgreSQL ledger figure");
        }
        report.add("pipeline", "vs raw ceiling", "1/" + Math.round(raw / perSecond), "raw ceiling / throughput");
        report.add("pipeline", "vs physical bound", percent(perSecond / bound), "throughput / physical bound");
        if (profiles != null) {
            progress("profiling the processor during another backlog");
            Profiler profiler = Profiler.start(cluster.processorHandle(0).pid(), profiles.resolve("processor.jfr"));
            for (int i = 0; i < size.backlog(); i++) {
                remember(payments.transfer(System.nanoTime()));
            }
            settle("the profiled backlog");
            payments.takeLatency();
            profile("processor", profiler.stop("processor during a backlog of " + size.backlog(), 30));
        }
        return perSecond;
    }

    /**
     * The hot account: half the transfers pay one merchant account. The PostgreSQL ledger serialises them on that
     * row's lock; in PayStream the merchant's credits queue on one ledger task, and the debits spread over all of
     * them. Both run the same workload in this run.
     */
    private void hotAccount() throws Exception {
        String merchant = payments.accounts().get(0);
        progress("hot account: PostgreSQL ledger, half the transfers pay " + merchant + " (synchronous_commit="
                + fasterSynchronousCommit + ")");
        PostgresLedger.Result postgres = PostgresLedger.measure(cluster.jdbcUrl(), size.postgresClients(),
                size.accounts(), size.postgresRun(), fasterSynchronousCommit, true);
        progress("hot account: a backlog of " + size.backlog() + " transfers, half of them to " + merchant);
        Drain drain = drain("the hot-account backlog", size.backlog(), () -> payments.hotPair(merchant));
        payments.takeLatency();
        double versus = drain.perSecond() / postgres.transfersPerSecond();
        report.number("hot.postgres.transfersPerSecond", postgres.transfersPerSecond());
        report.number("hot.pipeline.paymentsPerSecond", drain.perSecond());
        report.number("hot.vsPostgres", versus);
        drain.cpuMicros().forEach((process, micros) -> report.number("hot.cpu.perPayment." + process + ".micros",
                micros));
        String workload = "half the transfers pay one account (" + merchant + "), the rest between "
                + (size.accounts() - 1) + " others";
        report.add("hot", "PostgreSQL ledger", rate(postgres.transfersPerSecond(), "/s") + ", "
                + percentiles(postgres.latency()), "as the PostgreSQL ledger figure (synchronous_commit "
                + fasterSynchronousCommit + "); " + workload);
        report.add("hot", "pipeline (backlog drained)", rate(drain.perSecond(), "payments/s"), size.backlog()
                + " transfers written at once, as the pipeline figure; " + workload);
        report.add("hot", "vs PostgreSQL ledger", ratio(versus), "the two figures above, same workload, same run");
        report.add("hot", "CPU per payment", CpuUse.describeMicros(drain.cpuMicros()), "as the pipeline's");
    }

    /**
     * Batches: the same backlog written as batches of 100 and of 1,000 transfers, drained, against the per-transfer
     * PostgreSQL ledger of this run and a batched one ({@value #POSTGRES_BATCH} transfers per transaction), with CPU
     * per payment of each process. Each size is warmed up by one unmeasured backlog first.
     */
    private void batches() throws Exception {
        // A transaction of 100 transfers locks up to 200 accounts: with many clients they mostly wait for each
        // other's locks, so the batched ledger also runs with few clients, and the faster figure is the baseline.
        PostgresLedger.Result postgres = null;
        for (int clients : new java.util.TreeSet<>(List.of(size.postgresClients(), POSTGRES_BATCH_CLIENTS))
                .descendingSet()) {
            progress("batches: PostgreSQL ledger, " + POSTGRES_BATCH + " transfers per transaction, " + clients
                    + " clients (synchronous_commit=" + fasterSynchronousCommit + ")");
            PostgresLedger.Result result = PostgresLedger.measure(cluster.jdbcUrl(), clients, size.accounts(),
                    size.postgresRun(), fasterSynchronousCommit, false, POSTGRES_BATCH);
            report.add("batches", "PostgreSQL ledger, " + POSTGRES_BATCH + " per transaction, " + clients
                    + " clients", rate(result.transfersPerSecond(), "transfers/s") + ", "
                    + percentiles(result.latency()) + " per transaction", "as the PostgreSQL ledger figure, with "
                    + POSTGRES_BATCH + " transfers per transaction (every account they touch locked first, in id "
                    + "order), synchronous_commit " + fasterSynchronousCommit);
            if (postgres == null || result.transfersPerSecond() > postgres.transfersPerSecond()) {
                postgres = result;
            }
        }
        report.number("batches.postgres.transfersPerSecond", postgres.transfersPerSecond());
        Double single = report.number("postgres.transfersPerSecond");
        for (int batchSize : List.of(100, 1_000)) {
            progress("batches of " + batchSize + ": a warm-up backlog, then " + size.backlog() + " transfers");
            drain("warm-up batches of " + batchSize, size.backlog() / 2, payments::randomPair, batchSize);
            payments.takeLatency();
            Map<String, Long> before = endOffsets();
            Drain drain = drain("batches of " + batchSize, size.backlog(), payments::randomPair, batchSize);
            payments.takeLatency();
            // The sinks and the processor's commits trail the last event a little: let them finish before counting.
            TimeUnit.SECONDS.sleep(3);
            Map<String, Long> after = endOffsets();
            double writes = 0;
            for (Map.Entry<String, Long> end : after.entrySet()) {
                writes += (double) (end.getValue() - before.getOrDefault(end.getKey(), 0L)) / size.backlog();
            }
            double ledgerWrites = (double) (after.getOrDefault(io.paystream.schemas.Topics.LEDGER.name(), 0L)
                    - before.getOrDefault(io.paystream.schemas.Topics.LEDGER.name(), 0L)) / size.backlog();
            String key = "batches.b" + batchSize;
            report.number(key + ".writesPerPayment", writes);
            report.number(key + ".ledgerRecordsPerPayment", ledgerWrites);
            report.add("batches", "broker writes per payment, batches of " + batchSize, String.format(
                    "%.1f (of which payments.ledger.v1: %.3f)", writes, ledgerWrites), "as the pipeline's: "
                    + "end offsets of every topic but the raw one, before and after the drain, per transfer");
            report.number(key + ".paymentsPerSecond", drain.perSecond());
            drain.cpuMicros().forEach((process, micros) -> report.number(key + ".cpu.perPayment." + process
                    + ".micros", micros));
            report.add("batches", "pipeline, batches of " + batchSize, rate(drain.perSecond(), "payments/s"),
                    size.backlog() + " transfers over " + size.accounts() + " accounts, written at once as batches "
                            + "to payments.batches.v1 (one record per partition of the payers, as the ingress "
                            + "writes them); until the last terminal event, read_committed");
            if (single != null) {
                report.number(key + ".vsPostgres", drain.perSecond() / single);
                report.add("batches", "batches of " + batchSize + " vs PostgreSQL ledger",
                        ratio(drain.perSecond() / single), "throughput / the per-transfer PostgreSQL ledger figure");
            }
            report.number(key + ".vsBatchedPostgres", drain.perSecond() / postgres.transfersPerSecond());
            report.add("batches", "batches of " + batchSize + " vs batched PostgreSQL ledger",
                    ratio(drain.perSecond() / postgres.transfersPerSecond()),
                    "throughput / the faster " + POSTGRES_BATCH + "-per-transaction PostgreSQL ledger figure");
            report.add("batches", "CPU per payment, batches of " + batchSize,
                    CpuUse.describeMicros(drain.cpuMicros()), "as the pipeline's");
        }
    }

    /** Movements hashed per measurement of the journal chain's cost, after as many unmeasured. */
    private static final int CHAIN_LINKS = 200_000;

    /**
     * What the journal's hash chain costs the processor per payment: the CPU time of this thread to link
     * {@value #CHAIN_LINKS} movements (one SHA-256 each, as the ledger does in its transaction), warm, times the two
     * movements of a transfer (its debit and its credit).
     */
    private void journalChainCost() {
        progress("journal: CPU to hash " + CHAIN_LINKS + " movements into a chain");
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        io.paystream.schemas.avro.AuditRecord movement = io.paystream.schemas.avro.AuditRecord.newBuilder()
                .setAuditId("3f0c9a52-1b7e-4c7d-9a51-0d7c2b1e8f44:DEBIT").setKind(
                        io.paystream.schemas.avro.AuditKind.DEBIT).setAccountId("acct-17")
                .setPaymentId("3f0c9a52-1b7e-4c7d-9a51-0d7c2b1e8f44").setAmount(-1_234L).setCurrency("USD")
                .setBalanceAfter(98_766L).setEntrySeq(42L).setCreatedAtMs(System.currentTimeMillis()).build();
        String head = null;
        for (int i = 0; i < CHAIN_LINKS; i++) {
            head = io.paystream.schemas.JournalChain.link(movement, head).getHash();
        }
        long before = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < CHAIN_LINKS; i++) {
            head = io.paystream.schemas.JournalChain.link(movement, head).getHash();
        }
        double perMovement = (threads.getCurrentThreadCpuTime() - before) / 1_000.0 / CHAIN_LINKS;
        report.number("journal.chainMicrosPerPayment", 2 * perMovement);
        report.add("journal", "hash chain, CPU per payment", String.format("%.1f µs (%.1f µs per movement)",
                2 * perMovement, perMovement), "this thread's CPU time to link " + CHAIN_LINKS + " movements "
                + "(JournalChain.link: a copy of the record and one SHA-256), after as many unmeasured, times the two "
                + "movements of a transfer; head " + head.substring(0, 12) + "…; target under 10 µs");
    }

    /** Legs of the atomic split: a seller, the platform's fee and a tax account. */
    private static final int SPLIT_LEGS = 3;

    /**
     * Atomic 3-leg splits (one payer pays three payees, every leg or none) in an open loop at half load: half of the
     * measured maximum in payments, each leg counted as one. Each split's latency runs from its intended send to its
     * last payment's terminal event; the single transfers' figure at the same payment rate is beside it.
     */
    private void atomicSplits() throws Exception {
        double splitsPerSecond = 0.5 * maxPerSecond / SPLIT_LEGS;
        progress("atomic splits: " + rate(splitsPerSecond, "/s") + " of " + SPLIT_LEGS + " legs, a warm-up, then "
                + size.latencyRun().toSeconds() + " s");
        OpenLoop.run(splitsPerSecond, size.latencyRun(), this::split);
        settle("warm-up atomic splits");
        payments.takeLatency();
        CpuUse cpu = CpuUse.start(cluster.processes());
        long splitsBefore = payments.settled();
        OpenLoop.run(splitsPerSecond, size.latencyRun(), this::split);
        settle("atomic splits");
        Histogram latency = payments.takeLatency();
        java.util.Map<String, Double> micros = cpu.microsPer(Math.max(1, payments.settled() - splitsBefore));
        report.number("atomic.split3.p50Ms", latency.getValueAtPercentile(50) / 1000.0);
        report.number("atomic.split3.p99Ms", latency.getValueAtPercentile(99) / 1000.0);
        report.add("atomic", "3-leg atomic split, end to end at 50% of max", percentiles(latency), "open loop at "
                + rate(splitsPerSecond, "splits/s") + " (" + rate(splitsPerSecond * SPLIT_LEGS, "payments/s")
                + ") for " + size.latencyRun().toSeconds() + " s; one atomic batch record per split, from its "
                + "intended send to its last payment's terminal event, read_committed; target p99 ≤ 500 ms");
        report.add("atomic", "CPU per payment of a split", CpuUse.describeMicros(micros), "as the pipeline's, "
                + "each leg counted as a payment");
    }

    private void split(long intendedNanos) {
        String[] pair = payments.randomPair();
        List<String> payees = new ArrayList<>(List.of(pair[1]));
        while (payees.size() < SPLIT_LEGS) {
            String payee = payments.randomAccount();
            if (!payee.equals(pair[0]) && !payees.contains(payee)) {
                payees.add(payee);
            }
        }
        payments.atomicSplit(intendedNanos, pair[0], payees, 1 + ThreadLocalRandom.current().nextInt(100));
    }

    /** Open-loop latency at fractions of the measured maximum. */
    private void latencies(String label, double[] fractions) throws Exception {
        for (double fraction : fractions) {
            double rate = fraction * maxPerSecond;
            progress("end-to-end latency at " + percent(fraction) + " of max (" + rate(rate, "/s") + ")" + label);
            Histogram latency = openLoopPayments(rate, size.latencyRun());
            String key = "latency" + label.replaceAll("[^a-z0-9]", "") + ".p" + Math.round(fraction * 100);
            report.number(key + ".p50Ms", latency.getValueAtPercentile(50) / 1000.0);
            report.number(key + ".p99Ms", latency.getValueAtPercentile(99) / 1000.0);
            report.add("latency" + label, "end to end at " + percent(fraction) + " of max", percentiles(latency),
                    "open loop at " + rate(rate, "payments/s") + " for " + size.latencyRun().toSeconds()
                            + " s; from each transfer's intended send time to its terminal event, read_committed; "
                            + "HdrHistogram");
        }
    }

    private Histogram openLoopPayments(double rate, Duration run) throws Exception {
        payments.takeLatency();
        OpenLoop.run(rate, run, due -> remember(payments.transfer(due)));
        settle("open-loop transfers");
        return payments.takeLatency();
    }

    private void ingress() throws Exception {
        progress("ingress: /ping and POST /v1/payments");
        HttpLoad.Request ping = HttpLoad.Request.get(cluster.ingressAdminUrl() + "/ping");
        // Unmeasured warm-up of both paths: until the JIT has compiled them (with the agent's instrumentation, C2
        // was still busy minutes after start), the ingress answered POSTs at a third of its warm rate.
        http.closedLoop(() -> ping, CONNECTIONS, size.httpRun());
        http.closedLoop(this::postPayment, CONNECTIONS, size.httpRun());
        CpuUse pingCpu = CpuUse.start(Map.of("ingress", cluster.ingressHandle()));
        HttpLoad.Result pingResult = http.closedLoop(() -> ping, CONNECTIONS, size.httpRun());
        double pingMicros = pingCpu.microsPer(pingResult.latency().getTotalCount()).get("ingress");
        CpuUse postCpu = CpuUse.start(Map.of("ingress", cluster.ingressHandle()));
        HttpLoad.Result post = http.closedLoop(this::postPayment, CONNECTIONS, size.httpRun());
        double postMicros = postCpu.microsPer(post.latency().getTotalCount()).get("ingress");
        report.number("ingress.cpuPerPostMicros", postMicros);
        report.number("ingress.cpuPerPingMicros", pingMicros);
        report.add("ingress", "CPU per request", String.format("POST %,.0f µs, /ping %,.0f µs", postMicros,
                pingMicros), "the ingress's CPU time over each closed loop divided by the requests it answered");
        double accepted = post.perSecond() * post.count(202) / post.latency().getTotalCount();
        report.number("ingress.pingPerSecond", pingResult.perSecond());
        report.number("ingress.postPerSecond", accepted);
        String closed = "keep-alive sockets, " + CONNECTIONS + " connections, closed loop, "
                + size.httpRun().toSeconds() + " s";
        report.add("ingress", "admin /ping", rate(pingResult.perSecond(), "req/s"), closed);
        report.add("ingress", "POST /v1/payments max", rate(accepted, "req/s"), closed + "; 202s only ("
                + post.statuses() + ")");
        report.add("ingress", "POST vs /ping", percent(accepted / pingResult.perSecond()), "the same JVM, same client");
        HttpLoad.Result half = http.openLoop(this::postPayment, accepted / 2, size.httpRun());
        report.number("ingress.halfLoadP99Ms", half.latency().getValueAtPercentile(99) / 1000.0);
        report.add("ingress", "POST latency at 50% of max", percentiles(half.latency()), "open loop at "
                + rate(accepted / 2, "req/s") + ", from the intended send to the 202 (" + half.statuses() + ")");
        if (post.count(202) == 0 || half.count(202) == 0) {
            throw new IllegalStateException("the ingress accepted no payment: " + post.statuses());
        }
        if (profiles != null) {
            progress("profiling the ingress during another closed loop");
            Profiler profiler = Profiler.start(cluster.ingressHandle().pid(), profiles.resolve("ingress.jfr"));
            http.closedLoop(this::postPayment, CONNECTIONS, size.httpRun());
            profile("ingress", profiler.stop("ingress during POST /v1/payments, closed loop", 30));
        }
        settle("the ingress's payments");
    }

    private void profile(String name, String summary) {
        report.context("profile." + name, summary);
        out.print(summary);
        out.flush();
    }

    private HttpLoad.Request postPayment() {
        String[] pair = payments.randomPair();
        String body = "{\"type\":\"TRANSFER\",\"from\":\"" + pair[0] + "\",\"to\":\"" + pair[1]
                + "\",\"amount\":" + (1 + ThreadLocalRandom.current().nextInt(100)) + ",\"currency\":\"USD\"}";
        return HttpLoad.Request.post(cluster.ingressUrl() + "/v1/payments", body, "Authorization", AUTH,
                "Content-Type", "application/json", "Idempotency-Key", UUID.randomUUID().toString());
    }

    /** Balance and status lookups at fixed rates while transfers flow at half of the maximum. */
    private void queries() throws Exception {
        progress("query API during writes at 50% of max");
        // JIT warm-up of the lookup path, unmeasured.
        http.closedLoop(() -> get("/v1/accounts/" + payments.randomAccount()), CONNECTIONS, size.httpRun());
        // What a lookup costs the server, without writes beside it: the processor's CPU over the loop, less what it
        // uses idle (commits, punctuations, metrics) over the same time.
        Map<String, ProcessHandle> server = Map.of("processor", cluster.processorHandle(firstRunning()));
        CpuUse idleCpu = CpuUse.start(server);
        TimeUnit.SECONDS.sleep(5);
        double idleCores = idleCpu.coresUsed().get("processor");
        CpuUse lookupCpu = CpuUse.start(server);
        long lookupsStarted = System.nanoTime();
        HttpLoad.Result alone = http.openLoop(() -> get("/v1/accounts/" + payments.randomAccount()),
                size.lookupsPerSecond(), size.httpRun());
        long answered = Math.max(1, alone.latency().getTotalCount());
        double lookupMicros = lookupCpu.microsPer(answered).get("processor")
                - idleCores * (System.nanoTime() - lookupsStarted) / 1e3 / answered;
        report.number("query.cpuPerLookupMicros", lookupMicros);
        report.number("query.balanceAloneP99Ms", alone.latency().getValueAtPercentile(99) / 1000.0);
        report.add("query", "balance lookup, no writes", percentiles(alone.latency()), "GET /v1/accounts/{id}, open "
                + "loop " + size.lookupsPerSecond() + "/s for " + size.httpRun().toSeconds() + " s, nothing else "
                + "running (" + alone.statuses() + ", " + alone.connections() + " connections)");
        report.add("query", "processor CPU per lookup", String.format("%,.0f µs", lookupMicros), "the processor's "
                + "CPU time over that loop, less its idle use over the same time (" + String.format("%.2f", idleCores)
                + " cores, measured for 5 s before), divided by the lookups answered");
        ExecutorService background = Executors.newFixedThreadPool(2);
        Profiler profiler = profiles == null ? null
                : Profiler.start(cluster.processorHandle(firstRunning()).pid(), profiles.resolve("queries.jfr"));
        try {
            Future<Long> writes = background.submit(() -> OpenLoop.run(maxPerSecond / 2, size.latencyRun(),
                    due -> remember(payments.transfer(due))));
            Future<HttpLoad.Result> statuses = background.submit(() -> http.openLoop(() -> get("/v1/payments/"
                    + recentPayment()), size.lookupsPerSecond() / 4.0, size.latencyRun()));
            HttpLoad.Result balances = http.openLoop(() -> get("/v1/accounts/" + payments.randomAccount()),
                    size.lookupsPerSecond(), size.latencyRun());
            writes.get();
            HttpLoad.Result status = statuses.get();
            if (profiler != null) {
                profile("queries", profiler.stop("processor during lookups and writes (these figures are profiled)",
                        30));
            }
            report.number("query.balanceP99Ms", balances.latency().getValueAtPercentile(99) / 1000.0);
            report.add("query", "balance lookup", percentiles(balances.latency()), "GET /v1/accounts/{id}, open loop "
                    + size.lookupsPerSecond() + "/s for " + size.latencyRun().toSeconds() + " s during writes at "
                    + rate(maxPerSecond / 2, "payments/s") + " (" + balances.statuses() + ", "
                    + balances.connections() + " connections, opened as the schedule needed them)");
            report.add("query", "payment status lookup", percentiles(status.latency()), "GET /v1/payments/{id} of "
                    + "settled transfers, open loop " + size.lookupsPerSecond() / 4 + "/s, same writes ("
                    + status.statuses() + ")");
            if (balances.count(200) == 0) {
                throw new IllegalStateException("no balance lookup answered 200: " + balances.statuses());
            }
        } finally {
            background.shutdownNow();
        }
        settle("writes during queries");
    }

    private HttpLoad.Request get(String path) {
        return HttpLoad.Request.get(cluster.queryUrl(firstRunning()) + path, "Authorization", AUTH);
    }

    private int firstRunning() {
        return cluster.runningProcessors().get(0);
    }

    /** The commit interval and stream threads, one at a time; each restarts the processor with the setting. */
    private void sweeps() throws Exception {
        record Setting(long commitMs, int threads) {
        }
        // 20 ms, 50 ms and 2 threads, one at a time; then back to the defaults (100 ms, 1 thread) of the main figures.
        for (Setting setting : List.of(new Setting(20, DEFAULT_THREADS), new Setting(50, DEFAULT_THREADS),
                new Setting(DEFAULT_COMMIT_MS, 2),
                new Setting(DEFAULT_COMMIT_MS, DEFAULT_THREADS))) {
            String label = " (commit " + setting.commitMs() + " ms, " + setting.threads() + " thread"
                    + (setting.threads() > 1 ? "s" : "") + ")";
            progress("sweep" + label + ": restarting the processor");
            cluster.stopProcessor(0);
            cluster.startProcessor(0, true, cluster.options().withCommitIntervalMs(setting.commitMs())
                    .withStreamThreads(setting.threads()));
            if (setting.commitMs() == DEFAULT_COMMIT_MS && setting.threads() == DEFAULT_THREADS) {
                break; // back to the default for the sections that follow
            }
            // A restarted processor is cold: warm it as the pipeline figure's was, or the sweep measures the JIT.
            warmUp(payments::randomPair);
            Drain drain = drain("the sweep's backlog", size.backlog(), payments::randomPair);
            payments.takeLatency();
            double perSecond = drain.perSecond();
            report.add("sweep", "throughput" + label, rate(perSecond, "payments/s") + "; "
                    + CpuUse.describeMicros(drain.cpuMicros()), "as the pipeline figure and its CPU per payment");
            // The same rate as the main figure at 50 %, so that only the setting differs: a drain's maximum is a
            // burst, and half of a higher one saturated the open loop.
            Histogram latency = openLoopPayments(maxPerSecond / 2, size.latencyRun());
            report.add("sweep", "latency at 50%" + label, percentiles(latency), "as the latency figures, at "
                    + rate(maxPerSecond / 2, "payments/s") + " (half the default setting's maximum)");
        }
    }

    /** Two instances with a standby; kill -9 one under load; time until every key answers and the backlog drains. */
    private void recovery() throws Exception {
        progress("recovery: a second instance with a standby, then kill -9 of the first under load");
        cluster.startProcessor(1, true);
        awaitAllAccountsAnswer(1, Duration.ofMinutes(2));
        // Let the standby catch up before the fault.
        TimeUnit.SECONDS.sleep(10);
        double rate = maxPerSecond / 4;
        ExecutorService background = Executors.newSingleThreadExecutor();
        List<String> sentBeforeKill;
        long killed;
        long keysBack;
        long drained;
        try {
            ConcurrentLinkedDeque<String> sent = new ConcurrentLinkedDeque<>();
            Future<Long> writes = background.submit(() -> OpenLoop.run(rate, size.recoveryRun(), due -> {
                String id = payments.transfer(due);
                sent.add(id);
                remember(id);
            }));
            TimeUnit.MILLISECONDS.sleep(size.recoveryRun().toMillis() / 4);
            sentBeforeKill = new ArrayList<>(sent);
            payments.takeLatency();
            killed = System.nanoTime();
            cluster.killProcessor(0);
            keysBack = awaitAllAccountsAnswer(1, Duration.ofMinutes(2)) - killed;
            long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
            while (!payments.allSettled(sentBeforeKill) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            drained = System.nanoTime() - killed;
            writes.get();
        } finally {
            background.shutdownNow();
        }
        settle("writes around the kill");
        Histogram during = payments.takeLatency();
        report.number("recovery.keysAnswerSeconds", keysBack / 1e9);
        report.number("recovery.drainedSeconds", drained / 1e9);
        String method = "2 instances, 1 standby replica, writes at " + rate(rate, "payments/s") + "; kill -9 of "
                + "instance 0";
        report.add("recovery", "every key answers again", seconds(keysBack), method + "; until all "
                + size.accounts() + " balances answer 200 from the survivor");
        report.add("recovery", "in-flight payments settled", seconds(drained), method
                + "; until every transfer sent before the kill has its terminal event");
        report.add("recovery", "latency around the kill", percentiles(during), "transfers sent from the kill on");
    }

    /** Polls every account's balance on {@code instance} until all answer 200; returns the nano time they did. */
    private long awaitAllAccountsAnswer(int instance, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        List<String> accounts = payments.accounts();
        HttpClient client = HttpClient.newHttpClient();
        List<String> missing = new ArrayList<>(accounts);
        while (System.nanoTime() < deadline) {
            List<CompletableFuture<Integer>> answers = new ArrayList<>();
            for (String account : missing) {
                answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create(cluster.queryUrl(instance)
                        + "/v1/accounts/" + account)).header("Authorization", AUTH).timeout(Duration.ofSeconds(5))
                        .GET().build(), HttpResponse.BodyHandlers.discarding())
                        .handle((response, error) -> error == null ? response.statusCode() : 0));
            }
            List<String> stillMissing = new ArrayList<>();
            for (int i = 0; i < missing.size(); i++) {
                if (answers.get(i).get() != 200) {
                    stillMissing.add(missing.get(i));
                }
            }
            if (stillMissing.isEmpty()) {
                return System.nanoTime();
            }
            missing = stillMissing;
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new IllegalStateException(missing.size() + " accounts still do not answer on instance " + instance);
    }

    /** Many accounts on the surviving instance: its memory and disk afterwards, and lookups among them. */
    private void scale() throws Exception {
        int count = size.scaleAccounts();
        progress("scale: opening and topping up " + count + " more accounts");
        long began = System.nanoTime();
        int chunk = 20_000;
        List<String> opened = new ArrayList<>();
        for (int from = 0; from < count; from += chunk) {
            int n = Math.min(chunk, count - from);
            List<String> ids = payments.openAccounts("scale-" + from + "-", n, Duration.ofMinutes(10));
            opened.addAll(ids);
            progress("  " + opened.size() + " of " + count + " accounts open and topped up");
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        int instance = firstRunning();
        ProcessHandle processor = cluster.processorHandle(instance);
        long heap = Memory.heapUsedAfterGc(processor.pid(), cluster.adminUrl(instance));
        long rss = Memory.rssBytes(processor.pid());
        long stateBytes = Memory.directoryBytes(cluster.stateDir(instance));
        report.number("scale.accounts", payments.accounts().size());
        report.number("scale.heapBytes", (double) heap);
        report.add("scale", "accounts opened and topped up", String.format("%,d in %.0f s", count, seconds),
                "OPEN to accounts.requests.v1, then a TOPUP each once opened; " + payments.accounts().size()
                        + " accounts in total on the instance");
        report.add("scale", "processor heap after GC", Memory.mebibytes(heap), "jcmd GC.run, then "
                + "jvm_memory_used_bytes{area=heap} from /metrics (max heap " + cluster.options().processorHeap()
                + ")");
        report.add("scale", "processor RSS", Memory.mebibytes(rss), "VmRSS from /proc");
        report.add("scale", "state directory", Memory.mebibytes(stateBytes), "bytes under the instance's state.dir");
        HttpLoad.Result lookups = http.openLoop(() -> get("/v1/accounts/" + opened.get(ThreadLocalRandom.current()
                .nextInt(opened.size()))), size.lookupsPerSecond(), size.httpRun());
        report.number("scale.lookupP99Ms", lookups.latency().getValueAtPercentile(99) / 1000.0);
        report.add("scale", "balance lookup afterwards", percentiles(lookups.latency()), "open loop "
                + size.lookupsPerSecond() + "/s over the new accounts, no writes (" + lookups.statuses() + ")");
    }

    private void settle(String what) throws InterruptedException {
        if (!payments.awaitSettled(SETTLE_LIMIT)) {
            throw new IllegalStateException(payments.pendingCount() + " payments of " + what
                    + " have no terminal event after " + SETTLE_LIMIT.toSeconds() + " s");
        }
    }

    private void remember(String paymentId) {
        recent.addFirst(paymentId);
        if (ThreadLocalRandom.current().nextInt(64) == 0) {
            while (recent.size() > 10_000) {
                recent.pollLast();
            }
        }
    }

    /** The oldest remembered transfer: seconds old, so settled, and a 200 is the expected answer. */
    private String recentPayment() {
        String id = recent.peekLast();
        return id == null ? UUID.randomUUID().toString() : id;
    }

    /**
     * Where the stream thread's time went, in Kafka Streams' own terms, averaged over its threads: processing records,
     * waiting in or working through poll, committing, punctuating.
     */
    private static String streamThreadSplit(String adminUrl) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(adminUrl + "/metrics")).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        Matcher matcher = STREAM_THREAD_RATIO.matcher(response.body());
        while (matcher.find()) {
            ratios.computeIfAbsent(matcher.group(1), kind -> new ArrayList<>())
                    .add(Double.parseDouble(matcher.group(2)));
        }
        if (ratios.isEmpty()) {
            return "not published (" + response.statusCode() + ")";
        }
        return ratios.entrySet().stream().map(entry -> entry.getKey() + " " + percent(entry.getValue().stream()
                .mapToDouble(Double::doubleValue).average().orElse(Double.NaN))).collect(Collectors.joining(", "));
    }

    private Map<String, Long> endOffsets() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            var options = new ListTopicsOptions().listInternal(true);
            List<TopicPartition> partitions = new ArrayList<>();
            for (var topic : admin.describeTopics(admin.listTopics(options).names().get(30, TimeUnit.SECONDS)
                    .stream().filter(name -> !name.equals(RawProducer.TOPIC)).toList()).allTopicNames()
                    .get(30, TimeUnit.SECONDS).values()) {
                topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            Map<String, Long> ends = new TreeMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((partition, info) ->
                    ends.merge(partition.topic(), info.offset(), Long::sum));
            return ends;
        }
    }

    private void progress(String message) {
        out.println(DateTimeFormatter.ISO_LOCAL_TIME.withZone(ZoneOffset.UTC).format(Instant.now()).substring(0, 8)
                + " " + message);
        out.flush();
    }

    static String percentiles(Histogram micros) {
        return String.format("p50 %s, p99 %s, p99.9 %s, max %s", ms(micros.getValueAtPercentile(50)),
                ms(micros.getValueAtPercentile(99)), ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()));
    }

    private static String ms(long micros) {
        return micros >= 10_000 ? String.format("%.0f ms", micros / 1000.0) : String.format("%.1f ms", micros / 1000.0);
    }

    private static String rate(double perSecond, String unit) {
        return String.format("%,.0f %s", perSecond, unit);
    }

    private static String ratio(double value) {
        return String.format("%.2f×", value);
    }

    private static String percent(double fraction) {
        return String.format("%.0f%%", fraction * 100);
    }

    private static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }

    /**
     * Wipes the previous run's stack. Only a directory that a run made (its marker, or the stack's own layout) or an
     * empty one: a mistyped {@code --home} must never delete anything else.
     */
    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        boolean ours = Files.exists(dir.resolve(HOME_MARKER))
                || (Files.isDirectory(dir.resolve("kafka")) && Files.isDirectory(dir.resolve("logs")));
        try (Stream<Path> entries = Files.list(dir)) {
            if (!ours && entries.findAny().isPresent()) {
                throw new IllegalArgumentException(dir.toAbsolutePath().normalize() + " is not empty and was not made "
                        + "by a benchmark run; choose another --home");
            }
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
