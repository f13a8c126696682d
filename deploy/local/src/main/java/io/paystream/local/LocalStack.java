package io.paystream.local;

import io.paystream.acquirer.AcquirerSimulator;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * {@code make run}: starts a real single-node KRaft broker, an embedded PostgreSQL, the processor, the ingress and a
 * Kafka Connect worker with the sinks, each in its own process on loopback, with data and logs under
 * {@code .paystream/} (kept across runs). With {@code PAYSTREAM_BROKERS=3} ({@code make cluster}) it starts a
 * three-node KRaft cluster (every topic with three replicas, two in sync to write) and two processor instances, with
 * data under {@code .paystream-cluster/}. It waits until all are healthy, prints
 * how to use them, and on Ctrl-C (or SIGTERM) stops them in reverse order. A second start from the same directory, or
 * a port already in use, fails at once with a message saying so.
 */
public final class LocalStack {
    private static final Duration BROKER_START = Duration.ofSeconds(60);
    /** The processor creates topics and waits for its first rebalance; the ingress is quicker. */
    private static final Duration APP_START = Duration.ofSeconds(120);
    static final String DEV_KEY = "local-dev-key";

    private final StackLayout layout;
    private final Telemetry telemetry;
    private final PrintStream out;
    private final List<ChildProcess> running = new ArrayList<>();
    private final Supervision supervision = new Supervision();
    private EmbeddedPostgres postgres;
    private MailServer mail;
    private AcquirerSimulator acquirer;
    /** Set once a stop began, so that children exiting because of it are not reported as failures. */
    private volatile boolean stopping;

    LocalStack(StackLayout layout, Telemetry telemetry, PrintStream out) {
        this.layout = layout;
        this.telemetry = telemetry;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        // The launcher talks to people; its libraries' INFO lines (zonky's, mostly) belong in the logs, not here.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        StackLayout layout;
        Telemetry telemetry;
        try {
            layout = StackLayout.fromEnvironment(System::getenv);
            telemetry = Telemetry.fromEnvironment(layout.root(), System::getenv);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("paystream: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new LocalStack(layout, telemetry, System.out).run());
    }

    /** Runs the stack until a signal or a child's death; returns the exit code. */
    int run() throws Exception {
        Files.createDirectories(layout.logs());
        try (FileChannel lockFile = FileChannel.open(layout.home().resolve("run.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                System.err.println("paystream: already running from " + layout.home() + " (another `make run` holds "
                        + layout.home().resolve("run.lock") + "). Stop it first, or set PAYSTREAM_HOME.");
                return 1;
            }
            String mismatch = brokerCountMismatch();
            if (mismatch != null) {
                System.err.println("paystream: " + mismatch);
                return 1;
            }
            String taken = firstTakenPort();
            if (taken != null) {
                System.err.println("paystream: " + taken);
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopping = true;
                stopAll();
            }, "paystream-stop"));
            try {
                startAll();
            } catch (IllegalStateException e) {
                System.err.println("paystream: " + e.getMessage());
                stopAll();
                return 1;
            }
            printBanner();
            return waitForAChildToExit();
        }
    }

    /**
     * A data directory holds one cluster's logs, with as many brokers as it was made with: a stack of another size
     * on it would lose its quorum or its replicas. Records the count at the first start; says so on a mismatch.
     */
    private String brokerCountMismatch() throws IOException {
        Path marker = layout.home().resolve("brokers");
        String count = String.valueOf(layout.brokers().size());
        if (!Files.exists(marker)) {
            if (Files.exists(layout.home().resolve("kafka")) && layout.brokers().size() != 1) {
                return layout.home() + " holds a one-broker stack; a cluster needs its own PAYSTREAM_HOME";
            }
            Files.writeString(marker, count + "\n");
            return null;
        }
        String recorded = Files.readString(marker).trim();
        return recorded.equals(count) ? null : layout.home() + " holds a stack of " + recorded + " broker(s), not "
                + count + ": set PAYSTREAM_HOME to another directory, or PAYSTREAM_BROKERS=" + recorded;
    }

    private String firstTakenPort() {
        Map<Integer, String> users = new java.util.HashMap<>();
        for (Map.Entry<String, Integer> port : layout.ports().entrySet()) {
            String other = users.putIfAbsent(port.getValue(), port.getKey());
            if (other != null) {
                return "port " + port.getValue() + " is set for both the " + other + " and the " + port.getKey()
                        + ". Choose another port with one of the variables named.";
            }
        }
        for (Map.Entry<String, Integer> port : layout.ports().entrySet()) {
            try (ServerSocket probe = new ServerSocket(port.getValue(), 1, InetAddress.getLoopbackAddress())) {
                probe.setReuseAddress(true);
            } catch (IOException e) {
                return "port " + port.getValue() + " for the " + port.getKey() + " is already in use. Stop what uses "
                        + "it, or choose another port with the variable named.";
            }
        }
        return null;
    }

    private void startAll() throws IOException, InterruptedException {
        out.println("Starting PayStream in " + layout.home() + " (logs in " + layout.logs() + ")");
        List<ChildProcess> brokers = new ArrayList<>();
        for (int node = 0; node < layout.brokers().size(); node++) {
            ChildProcess broker = Broker.start(layout, node, System.getProperty("java.class.path"),
                    telemetry.jvmArgs(Broker.name(layout, node)));
            running.add(broker);
            brokers.add(broker);
        }
        for (int node = 0; node < brokers.size(); node++) {
            brokers.get(node).awaitPort(layout.brokers().get(node).kafkaPort(), BROKER_START);
        }
        out.println("  kafka      ready on " + layout.bootstrapServers() + (layout.brokers().size() == 1 ? ""
                : "   (" + layout.brokers().size() + " KRaft nodes, replication " + layout.replicationFactor()
                        + ", min.insync.replicas 2)"));

        postgres = EmbeddedPostgres.builder().setPort(layout.postgresPort())
                .setDataDirectory(layout.home().resolve("postgres")).setCleanDataDirectory(false)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(layout.logs().resolve("postgres.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(layout.logs().resolve("postgres.log").toFile()))
                .start();
        out.println("  postgres   ready on " + layout.jdbcUrl());

        List<ChildProcess> processors = new ArrayList<>();
        for (int instance = 0; instance < layout.processors(); instance++) {
            ChildProcess processor = startProcessor(instance);
            running.add(processor);
            processors.add(processor);
        }
        ChildProcess ingress = startApp("ingress", "ingress-api", "io.paystream.ingress.IngressApplication", List.of(),
                Map.of("PAYSTREAM_INGRESS_PORT", String.valueOf(layout.ingressPort()),
                        "PAYSTREAM_INGRESS_ADMIN_PORT", String.valueOf(layout.ingressAdminPort()),
                        // Capture, void and refund look payments up there; it forwards to whichever instance owns one.
                        "PAYSTREAM_QUERY_API_URL", "http://127.0.0.1:" + layout.processorPort(0),
                        "PAYSTREAM_CONSOLE_ORIGINS", consoleOrigins()));
        running.add(ingress);
        for (int instance = 0; instance < processors.size(); instance++) {
            processors.get(instance).awaitHealthy(layout.processorAdminPort(instance), APP_START);
            out.println("  " + String.format("%-10s", processorName(instance)) + " healthy");
        }
        ingress.awaitHealthy(layout.ingressAdminPort(), APP_START);
        out.println("  ingress    healthy");
        // PAYSTREAM_ACQUIRER_APPROVAL_RATE (0.9), _LATENCY_MS (50) and _HANG_MS (30000) tune it.
        Map<String, String> acquirerEnvironment = new java.util.HashMap<>(System.getenv());
        acquirerEnvironment.put("PAYSTREAM_ACQUIRER_PORT", String.valueOf(layout.acquirerPort()));
        acquirerEnvironment.put("PAYSTREAM_ACQUIRER_DATA", layout.home().resolve("acquirer/charges.jsonl").toString());
        AcquirerSimulator.Settings acquirerSettings = AcquirerSimulator.Settings.fromEnvironment(acquirerEnvironment);
        acquirer = AcquirerSimulator.start(acquirerSettings);
        out.println("  acquirer   simulator on http://127.0.0.1:" + layout.acquirerPort() + " ("
                + Math.round(acquirerSettings.approvalRate() * 100) + "% approved; tok_approve, tok_decline, "
                + "tok_timeout)");
        mail = MailServer.start(layout.smtpPort(), layout.mail());
        out.println("  mail       SMTP on 127.0.0.1:" + layout.smtpPort() + "; messages written to " + layout.mail());
        // After the processor: it creates the topics the sinks read.
        ChildProcess connect = ConnectWorker.start(layout, telemetry.jvmArgs("connect"));
        running.add(connect);
        ConnectWorker.awaitRunning(connect, layout, APP_START);
        out.println("  connect    sinks running");
    }

    /** Each processor's console origin, by address and by name: the browser origins the ingress lets in. */
    private String consoleOrigins() {
        List<String> origins = new ArrayList<>();
        for (int instance = 0; instance < layout.processors(); instance++) {
            origins.add("http://127.0.0.1:" + layout.processorPort(instance));
            origins.add("http://localhost:" + layout.processorPort(instance));
        }
        return String.join(", ", origins);
    }

    /** {@code processor} beside one broker; {@code processor-1}, {@code processor-2} beside a cluster. */
    private String processorName(int instance) {
        return layout.processors() == 1 ? "processor" : "processor-" + (instance + 1);
    }

    private ChildProcess startProcessor(int instance) throws IOException {
        String name = processorName(instance);
        Map<String, String> environment = new java.util.HashMap<>(Map.of(
                "PAYSTREAM_PROCESSOR_PORT", String.valueOf(layout.processorPort(instance)),
                "PAYSTREAM_PROCESSOR_ADMIN_PORT", String.valueOf(layout.processorAdminPort(instance)),
                "PAYSTREAM_APPLICATION_SERVER", "127.0.0.1:" + layout.processorPort(instance),
                "PAYSTREAM_STATE_DIR", layout.home().resolve("state/" + name).toString(),
                "PAYSTREAM_REPLICATION_FACTOR", String.valueOf(layout.replicationFactor()),
                "PAYSTREAM_INGRESS_URL", "http://127.0.0.1:" + layout.ingressPort()));
        if (layout.processors() > 1) {
            // A warm copy of every store on the other instance, so that one can take over at once.
            environment.put("PAYSTREAM_STANDBY_REPLICAS", "1");
        }
        return startApp(name, "streams-processor", "io.paystream.processor.ProcessorApplication",
                List.of("-Ddw.database.driverClass=org.postgresql.Driver", "-Ddw.database.url=" + layout.jdbcUrl(),
                        "-Ddw.database.user=postgres"), environment);
    }

    private ChildProcess startApp(String name, String module, String mainClass, List<String> overrides,
            Map<String, String> ports) throws IOException {
        Path target = layout.root().resolve(module).resolve("target");
        Path jar = target.resolve(module + "-0.1.0-SNAPSHOT.jar");
        if (!Files.exists(jar) || !Files.isDirectory(target.resolve("lib"))) {
            throw new IllegalStateException(jar + " is missing: build first (`make build`, which `make run` does)");
        }
        Map<String, String> environment = new java.util.HashMap<>(ports);
        environment.put("KAFKA_BOOTSTRAP_SERVERS", layout.bootstrapServers());
        environment.putAll(StackLayout.LOCAL_PROFILE);
        return ChildProcess.start(name, layout.root(), layout.logs().resolve(name + ".log"),
                jar + java.io.File.pathSeparator + target.resolve("lib") + java.io.File.separator + "*",
                jvmArgs(name, overrides), mainClass,
                List.of("server", layout.root().resolve(module).resolve("config.yml").toString()), environment);
    }

    private List<String> jvmArgs(String name, List<String> overrides) {
        List<String> args = new ArrayList<>(List.of("-Xmx512m", "-XX:+UseSerialGC"));
        args.addAll(telemetry.jvmArgs(name));
        args.addAll(overrides);
        return args;
    }

    private void printBanner() {
        String ingress = "http://127.0.0.1:" + layout.ingressPort();
        String queries = "http://127.0.0.1:" + layout.processorPort(0);
        out.println();
        out.println("PayStream is running. Press Ctrl-C to stop it; data stays in " + layout.home()
                + " (`make clean` wipes it).");
        out.println();
        out.println("  ingress API   " + ingress + "   (admin: http://127.0.0.1:" + layout.ingressAdminPort()
                + "/healthcheck, /metrics; OpenAPI: " + ingress + "/openapi.json)");
        for (int instance = 0; instance < layout.processors(); instance++) {
            out.println("  query API     http://127.0.0.1:" + layout.processorPort(instance) + "   (admin: "
                    + "http://127.0.0.1:" + layout.processorAdminPort(instance) + "/healthcheck, /metrics"
                    + (layout.processors() == 1 ? "" : "; " + processorName(instance) + ", either answers for any key")
                    + ")");
        }
        out.println("  console       " + queries + "/console/   (sign in with the API key below)");
        out.println("  kafka         " + layout.bootstrapServers());
        out.println("  postgres      " + layout.jdbcUrl() + "   (user postgres; tables ledger_entries, payments, "
                + "webhook_deliveries, email_messages)");
        out.println("  connect       http://127.0.0.1:" + layout.connectPort() + "/connectors   (metrics: /metrics)");
        out.println("  API key       " + DEV_KEY + "   (admin scope)");
        out.println("  tracing       " + telemetry.description());
        out.println();
        out.println("Try:");
        String auth = "-H 'Authorization: Bearer " + DEV_KEY + "'";
        String json = "-H 'Content-Type: application/json'";
        out.println("  curl -X POST " + ingress + "/v1/accounts " + auth + " " + json
                + " -d '{\"accountId\":\"alice\",\"currency\":\"USD\",\"type\":\"CUSTOMER\"}'");
        out.println("  curl -X POST " + ingress + "/v1/accounts " + auth + " " + json
                + " -d '{\"accountId\":\"bob\",\"currency\":\"USD\",\"type\":\"CUSTOMER\"}'");
        out.println("  curl -X POST " + ingress + "/v1/payments " + auth + " " + json
                + " -H 'Idempotency-Key: topup-1' -d '{\"type\":\"TOPUP\",\"to\":\"alice\",\"amount\":10000,"
                + "\"currency\":\"USD\"}'");
        out.println("  curl -X POST " + ingress + "/v1/payments " + auth + " " + json
                + " -H 'Idempotency-Key: order-1' -d '{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\","
                + "\"amount\":1050,\"currency\":\"USD\"}'");
        out.println("  curl " + queries + "/v1/accounts/alice " + auth);
        out.println("  curl " + queries + "/v1/payments/<paymentId> " + auth);
        out.println("  curl " + queries + "/v1/accounts/alice/entries " + auth);
        out.println("Email: open an account with \"email\":\"alice@example.com\"; each notification lands in "
                + layout.mail() + " as an .eml file.");
        out.println("Webhooks (a receiver on 127.0.0.1 is allowed locally; the answer holds the signing secret):");
        out.println("  curl -X POST " + ingress + "/v1/webhook-endpoints " + auth + " " + json
                + " -d '{\"url\":\"http://127.0.0.1:9000/hook\"}'");
        out.println("  curl " + ingress + "/v1/webhook-endpoints/<id>/deliveries " + auth);
        out.println("Traffic simulator (or the console's Simulator page; at most 200 requests/s for 600 s; "
                + "DELETE /v1/simulator stops it):");
        out.println("  curl -X POST " + queries + "/v1/simulator " + auth + " " + json
                + " -d '{\"ratePerSecond\":20,\"durationSeconds\":60,\"accounts\":10}'");
        out.flush();
    }

    private int waitForAChildToExit() throws InterruptedException, IOException {
        while (!stopping) {
            for (ChildProcess child : List.copyOf(running)) {
                if (!child.isAlive() && !stopping) {
                    int code = child.process().exitValue();
                    if (supervision.restart(child.name(), code, System.nanoTime() / 1_000_000)) {
                        if (child.name().startsWith("kafka-")) {
                            int node = Integer.parseInt(child.name().substring("kafka-".length())) - 1;
                            System.err.println("paystream: " + child.name() + " exited (code " + code + "); the "
                                    + "other brokers keep the cluster writing, restarting it to catch up. See "
                                    + layout.logs().resolve(child.name() + ".log"));
                            replace(child, Broker.start(layout, node, System.getProperty("java.class.path"),
                                    telemetry.jvmArgs(child.name())));
                        } else {
                            System.err.println("paystream: " + child.name() + " stalled and exited (code " + code
                                    + "); restarting it. See " + layout.logs().resolve(child.name() + ".log"));
                            replace(child, startProcessor(processorInstance(child.name())));
                        }
                        continue;
                    }
                    System.err.println("paystream: " + child.name() + " exited with code " + code
                            + "; stopping the rest. See " + layout.logs());
                    stopAll();
                    return 1;
                }
            }
            java.util.concurrent.TimeUnit.MILLISECONDS.sleep(500);
        }
        return 0;
    }

    private int processorInstance(String name) {
        for (int instance = 0; instance < layout.processors(); instance++) {
            if (processorName(instance).equals(name)) {
                return instance;
            }
        }
        throw new IllegalArgumentException(name + " is not a processor");
    }

    /** Puts a restarted child in the place of the one that exited, so that the stop order stays the same. */
    private synchronized void replace(ChildProcess exited, ChildProcess restarted) throws InterruptedException {
        int place = running.indexOf(exited);
        if (stopping || place < 0) {
            restarted.stop(); // a stop began meanwhile and has already passed this child
            return;
        }
        running.set(place, restarted);
    }

    /** Stops the apps before the broker, so they can commit and close cleanly. Idempotent. */
    private synchronized void stopAll() {
        List<ChildProcess> brokers = new ArrayList<>();
        for (int i = running.size() - 1; i >= 0; i--) {
            ChildProcess child = running.get(i);
            try {
                if (child.name().startsWith("kafka")) {
                    brokers.add(child); // last, and together (below)
                } else if (child.isAlive()) {
                    out.println("stopping " + child);
                    out.flush();
                    child.stop();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.process().destroyForcibly();
            }
        }
        for (ChildProcess broker : brokers) {
            if (broker.isAlive()) {
                out.println("stopping " + broker);
            }
        }
        out.flush();
        try {
            ChildProcess.stopTogether(brokers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            brokers.forEach(broker -> broker.process().destroyForcibly());
        }
        running.clear();
        if (acquirer != null) {
            out.println("stopping acquirer");
            acquirer.close();
            acquirer = null;
        }
        if (mail != null) {
            out.println("stopping mail");
            mail.close();
            mail = null;
        }
        if (postgres != null) {
            try {
                out.println("stopping postgres");
                postgres.close();
            } catch (IOException e) {
                System.err.println("paystream: postgres did not stop cleanly: " + e.getMessage());
            }
            postgres = null;
        }
        out.println("stopped");
        out.flush();
    }
}
